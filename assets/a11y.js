// Corrections to the markup Dash's own components render, for screen readers and the keyboard, and the
// skip link's behaviour. Dash 4's components take no aria props for these parts, so each is marked on a
// wrapper in the layout (a data- attribute) and put right here whenever Dash (re)renders it.
//
// - A RadioItems or Checklist is a div role=listbox whose options (label role=option aria-selected) wrap
//   native inputs: an unnamed listbox of nested interactive controls (axe: aria-input-field-name,
//   nested-interactive, aria-allowed-role). The native inputs already say everything, so the options lose
//   their roles, and the list becomes a radiogroup (or a group) named by the visible label its wrapper
//   names in data-aria-labelledby. A checklist of one box needs no group: it just loses the listbox role.
// - A Dropdown is a focusable <input aria-hidden> (axe: aria-hidden-focus) that passes the focus on to a
//   <button tabindex=-1> named only by the chosen value ("5 steps/s"). The button takes the Tab stop, the
//   hidden input leaves the Tab order, and the button is named by the wrapper's label first.
// - A Slider's handle gets its name from the wrapper's data-aria-label, and a slider that moves log10 of a
//   value (data-log-value-name="η") says the value itself in aria-valuetext ("η = 0.1", not "-1").
// - An input whose id is a dict, which no <label for> can name, gets the wrapper's data-aria-label.
// - MathJax makes every formula a Tab stop (34 on /derivative); formulas are not controls.
(function () {
    const LABELLED = "[data-aria-labelledby]";

    function setAttribute(element, name, value) {
        if (element.getAttribute(name) !== value) {
            element.setAttribute(name, value);
        }
    }

    function removeAttribute(element, name) {
        if (element.hasAttribute(name)) {
            element.removeAttribute(name);
        }
    }

    function fixOptionLists() {
        document.querySelectorAll(".dash-options-list").forEach(function (list) {
            const wrapper = list.closest(LABELLED);
            const labelledBy = wrapper ? wrapper.getAttribute("data-aria-labelledby") : null;
            const radios = list.classList.contains("dash-radioitems");
            if (radios || labelledBy) {
                setAttribute(list, "role", radios ? "radiogroup" : "group");
            } else {
                removeAttribute(list, "role");
            }
            if (labelledBy) {
                setAttribute(list, "aria-labelledby", labelledBy);
            }
            list.querySelectorAll(".dash-options-list-option").forEach(function (option) {
                removeAttribute(option, "role");
                removeAttribute(option, "aria-selected");
            });
        });
    }

    function fixDropdowns() {
        document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (dropdown) {
            const focusTarget = dropdown.querySelector(".dash-dropdown-focus-target");
            const button = dropdown.querySelector("button.dash-dropdown");
            if (!focusTarget || !button) {
                return;
            }
            setAttribute(focusTarget, "tabindex", "-1");
            setAttribute(button, "tabindex", button.disabled ? "-1" : "0");
            const wrapper = dropdown.closest(LABELLED);
            if (wrapper) {
                const label = wrapper.getAttribute("data-aria-labelledby");
                const names = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
                if (names[0] !== label) {
                    setAttribute(button, "aria-labelledby", [label].concat(names.filter(n => n !== label)).join(" "));
                }
                setAttribute(focusTarget, "aria-labelledby", label);  // hidden, but named all the same
            }
        });
    }

    function logValueText(handle, name) {
        const exponent = Number(handle.getAttribute("aria-valuenow"));
        if (!isFinite(exponent)) {
            return;
        }
        setAttribute(handle, "aria-valuetext", name + " = " + Number(Math.pow(10, exponent).toPrecision(3)));
    }

    function nameControls() {
        document.querySelectorAll("[data-aria-label]").forEach(function (wrapper) {
            const label = wrapper.getAttribute("data-aria-label");
            wrapper.querySelectorAll("[role=slider], input:not([type=hidden]):not(.dash-dropdown-focus-target)")
                .forEach(function (control) {
                    if (!control.hasAttribute("aria-label")) {
                        control.setAttribute("aria-label", label);
                    }
                });
        });
        document.querySelectorAll("[data-log-value-name]").forEach(function (wrapper) {
            wrapper.querySelectorAll("[role=slider]").forEach(function (handle) {
                logValueText(handle, wrapper.getAttribute("data-log-value-name"));
            });
        });
    }

    function fixFormulas() {
        document.querySelectorAll("mjx-container[tabindex]").forEach(function (formula) {
            formula.removeAttribute("tabindex");
        });
    }

    function fixAll() {
        fixOptionLists();
        fixDropdowns();
        nameControls();
        fixFormulas();
    }

    // Plotly rewrites its figures' SVG many times a second while a run plays: those changes never
    // concern the controls, so they are skipped before any work is done.
    function concernsControls(record) {
        const target = record.target;
        return !(target.closest && target.closest(".js-plotly-plot"));
    }

    new MutationObserver(function (records) {
        if (records.some(concernsControls)) {
            fixAll();  // at once, before the page is painted: no frame shows Dash's markup
        }
    }).observe(document.documentElement, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["role", "aria-selected", "tabindex", "aria-valuenow", "aria-labelledby"],
    });

    // ---- the skip link (app/main.py INDEX_STRING) ---------------------------------------------------

    const FOCUSABLE = "input:not([type=hidden]):not([disabled]):not([tabindex='-1']), button:not([disabled]):not([tabindex='-1']), " +
        "select, textarea, a[href], [role=slider], [tabindex='0']";

    // The page's first control: the first one in its first control panel, or failing that (the home
    // page) the first thing to focus in the page. In a radio group, the chosen radio, as Tab would.
    function firstControl() {
        const main = document.getElementById("main-content");
        if (!main) {
            return null;
        }
        const panel = main.querySelector(".controls");
        const control = (panel && panel.querySelector(FOCUSABLE)) || main.querySelector(FOCUSABLE);
        if (control && control.type === "radio" && control.name) {
            const group = control.closest(".dash-options-list") || document;
            return group.querySelector("input[type=radio]:checked") || control;
        }
        return control || main;
    }

    document.addEventListener("click", function (event) {
        const link = event.target.closest && event.target.closest("a.skip-link");
        if (!link) {
            return;
        }
        // No #hash in the address: Dash's router and the page's link (assets/share.js) keep their URL.
        event.preventDefault();
        const target = firstControl();
        if (target) {
            target.focus({preventScroll: true});
            target.scrollIntoView({block: "center"});
        }
    });
})();
