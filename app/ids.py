"""Component ids, one class per page. Layout, callbacks and tests all import these; no id is ever
spelled twice as a string literal."""


class Shell:
    NAV = "nav"
    NAV_LINK = "nav-link"  # pattern-matching type: {"type": NAV_LINK, "index": the page's path}
    LOCATION = "url"
    SKIP_LINK = "skip-link"  # the first Tab stop of every page, in app.main.INDEX_STRING
    MAIN = "main-content"  # the skip link's target when a page has no controls
    TOOLS = "shell-tools"  # the classroom toolbar in the nav (assets/presenter.js)
    COPY_LINK = "shell-copy-link"
    PRESENTER = "shell-presenter"
    HIDE_CONTROLS = "shell-hide-controls"
    FULLSCREEN = "shell-fullscreen"
    HELP = "shell-help"
    TOOL_STATUS = "shell-tool-status"  # says "Link copied" and the like, for screen readers too
    SHORTCUTS = "shell-shortcuts"  # the "?" dialog
    SHORTCUTS_CLOSE = "shell-shortcuts-close"
    LIVE_CLASS = "shell-live-class"  # presenter mode: a link to /class
    ADD_VIEW = "shell-add-view"  # presenter mode: append this view to the draft lesson (assets/lesson.js)


class Lesson:
    """The lesson being stepped through (in the shell, on every page) and the /lesson page."""

    CODE = "lesson-code"  # the lesson's code, from the address's #lesson= (assets/lesson.js)
    OPENED = "lesson-opened"  # that lesson as the server checked it: title, steps' links, notes
    BAR = "lesson-bar"  # above every page while a lesson is open: title, "4 / 12", caption, arrows
    BAR_TITLE = "lesson-bar-title"
    BAR_COUNTER = "lesson-bar-counter"
    BAR_CAPTION = "lesson-bar-caption"
    BAR_PREVIOUS = "lesson-bar-previous"
    BAR_NEXT = "lesson-bar-next"
    BAR_LEAVE = "lesson-bar-leave"
    OVERVIEW = "lesson-overview"  # /lesson: the opened lesson's steps and what was refused
    START = "lesson-start"
    DRAFT = "lesson-draft"  # the draft lesson, in the browser's localStorage (dcc.Store, local)
    DRAFT_TITLE = "lesson-draft-title"
    DRAFT_STEPS = "lesson-draft-steps"
    DRAFT_CAPTION = "lesson-draft-caption"  # pattern-matching type: {"type": DRAFT_CAPTION, "index": k}
    DRAFT_UP = "lesson-draft-up"  # pattern-matching types, as above
    DRAFT_DOWN = "lesson-draft-down"
    DRAFT_REMOVE = "lesson-draft-remove"
    DRAFT_CLEAR = "lesson-draft-clear"
    DRAFT_MESSAGE = "lesson-draft-message"
    DRAFT_LINK = "lesson-draft-link"  # the draft's lesson link, to read and copy
    DRAFT_COPY = "lesson-draft-copy"
    DRAFT_OPEN = "lesson-draft-open"
    DRAFT_DOWNLOAD = "lesson-draft-download"
    DOWNLOAD = "lesson-download"
    UPLOAD = "lesson-upload"


class Derivative:
    LINK = "derivative-link"  # the query string the address bar shows (app/components/share.py)
    FIGURE_SUMMARY = "derivative-figure-summary"  # each figure's state in words (aria-live)
    ERROR_SUMMARY = "derivative-error-summary"
    FUNCTION = "derivative-function"
    FORMULA = "derivative-formula"  # the typed f(x); a preset fills it with its text
    FORMULA_MESSAGE = "derivative-formula-message"
    WINDOW_X_FROM = "derivative-window-x-from"
    WINDOW_X_TO = "derivative-window-x-to"
    WINDOW_MESSAGE = "derivative-window-message"
    DRAWN_FUNCTION = "derivative-drawn-function"  # whose curve the main figure holds now
    X0_SLIDER = "derivative-x0-slider"
    X0_INPUT = "derivative-x0-input"
    X0_MESSAGE = "derivative-x0-message"
    H_SLIDER = "derivative-log-h-slider"  # the slider moves log10(h)
    H_INPUT = "derivative-h-input"
    H_MESSAGE = "derivative-h-message"
    PRESET = "derivative-preset"  # pattern-matching type: {"type": PRESET, "index": preset key}
    STATE = "derivative-state"  # the last good {function, x0, h}

    FIGURE = "derivative-figure"
    VIEW_MESSAGE = "derivative-view-message"
    READ_H = "derivative-read-h"
    READ_SLOPE = "derivative-read-slope"
    READ_TRUE = "derivative-read-true"
    READ_ERROR = "derivative-read-error"
    THREE_WAYS = "derivative-three-ways"
    EXPLANATION = "derivative-explanation"

    ANIMATE = "derivative-animate"
    ANIMATION_TICK = "derivative-animation-tick"
    ANIMATION_FRAMES = "derivative-animation-frames"
    ANIMATION_STATE = "derivative-animation-state"

    TABLE = "derivative-limit-table"
    PRECISION = "derivative-precision"
    ERROR_FIGURE = "derivative-error-figure"
    ERROR_EXPLANATION = "derivative-error-explanation"
    POWER_RULES = "derivative-power-rules"
    SPECIAL_RULES = "derivative-special-rules"


class Gradient:
    LINK = "gradient-link"  # the query string the address bar shows (app/components/share.py)
    CONTOUR_SUMMARY = "gradient-contour-summary"
    SURFACE_SUMMARY = "gradient-surface-summary"
    DIRECTIONAL_SUMMARY = "gradient-directional-summary"
    SURFACE = "gradient-surface"
    FORMULA = "gradient-formula"  # the typed f(x, y); a preset fills it with its text
    FORMULA_MESSAGE = "gradient-formula-message"
    WINDOW_X_FROM = "gradient-window-x-from"
    WINDOW_X_TO = "gradient-window-x-to"
    WINDOW_Y_FROM = "gradient-window-y-from"
    WINDOW_Y_TO = "gradient-window-y-to"
    WINDOW_MESSAGE = "gradient-window-message"
    X_INPUT = "gradient-x-input"
    Y_INPUT = "gradient-y-input"
    POINT_MESSAGE = "gradient-point-message"
    ANGLE_SLIDER = "gradient-angle-slider"
    ANGLE_INPUT = "gradient-angle-input"
    ANGLE_MESSAGE = "gradient-angle-message"
    SHOW_DESCENT = "gradient-show-descent"
    STATE = "gradient-state"  # the last good {surface, x, y, angle, descent}
    DRAWN_SURFACE = "gradient-drawn-surface"  # which surface's mesh the figures hold now

    CONTOUR = "gradient-contour"
    SURFACE_3D = "gradient-surface-3d"
    DIRECTIONAL = "gradient-directional"
    DESCRIPTION = "gradient-description"

    READ_F = "gradient-read-f"
    READ_DX = "gradient-read-dx"
    READ_DY = "gradient-read-dy"
    READ_GRADIENT = "gradient-read-gradient"
    READ_NORM = "gradient-read-norm"
    READ_ANGLE = "gradient-read-angle"
    READ_DIRECTIONAL = "gradient-read-directional"
    VERIFY_TABLE = "gradient-verify-table"
    EXPLANATION = "gradient-explanation"


class Player:
    """The step player under each run view. Every id is a dict {"type": one of these, "section": ...},
    so one clientside callback (matched on section) drives every player on a page."""

    PLAY = "player-play"
    BACK = "player-back"
    FORWARD = "player-forward"
    RESET = "player-reset"
    SCRUB = "player-scrub"
    SPEED = "player-speed"
    SPEED_LABEL = "player-speed-label"  # a plain id, f"{SPEED_LABEL}-{section}": what names the speed menu
    TICK = "player-tick"
    STATE = "player-state"  # {frame, playing}
    READOUT = "player-readout"
    RUN = "player-run"  # the trajectory, sent once per change of settings
    FIGURE = "player-figure"  # {"type": FIGURE, "section": ..., "index": view name}


class Descent:
    LINK = "descent-link"  # the query string the address bar shows (app/components/share.py)
    ONE_D = "1d"  # player section names
    TWO_D = "2d"

    LOSS = "descent-loss"
    W0_INPUT = "descent-w0-input"
    LR1_SLIDER = "descent-1d-log-lr-slider"
    LR1_INPUT = "descent-1d-lr-input"
    STEPS1_INPUT = "descent-1d-steps-input"
    MESSAGE1 = "descent-1d-message"
    LR1_MESSAGE = "descent-1d-lr-message"
    STATE1 = "descent-1d-state"
    TABLE1 = "descent-1d-table"
    VERDICT1 = "descent-1d-verdict"
    EXPLANATION1 = "descent-1d-explanation"
    CSV_BUTTON1 = "descent-1d-csv-button"  # the one-weight run as a CSV file
    CSV_DOWNLOAD1 = "descent-1d-csv-download"

    SURFACE = "descent-surface"
    FORMULA = "descent-formula"  # the typed L(x, y); a preset fills it with its text
    FORMULA_MESSAGE = "descent-formula-message"
    WINDOW_X_FROM = "descent-window-x-from"
    WINDOW_X_TO = "descent-window-x-to"
    WINDOW_Y_FROM = "descent-window-y-from"
    WINDOW_Y_TO = "descent-window-y-to"
    WINDOW_MESSAGE = "descent-window-message"
    X0_INPUT = "descent-x0-input"
    Y0_INPUT = "descent-y0-input"
    LR2_SLIDER = "descent-2d-log-lr-slider"
    LR2_INPUT = "descent-2d-lr-input"
    STEPS2_INPUT = "descent-2d-steps-input"
    MESSAGE2 = "descent-2d-message"
    LR2_MESSAGE = "descent-2d-lr-message"
    PRESET = "descent-preset"  # pattern-matching type: {"type": PRESET, "index": preset key}
    STATE2 = "descent-2d-state"
    DRAWN_SURFACE = "descent-drawn-surface"
    DRAWN_LOSS = "descent-drawn-loss"  # which loss's curve the 1-D figure holds now
    TABLE2 = "descent-2d-table"
    VERDICT2 = "descent-2d-verdict"
    EXPLANATION2 = "descent-2d-explanation"
    CSV_BUTTON2 = "descent-2d-csv-button"  # the two-weight run as a CSV file
    CSV_DOWNLOAD2 = "descent-2d-csv-download"


class LearningRate:
    LINK = "learning-rate-link"  # the query string the address bar shows (app/components/share.py)
    CURVE_SUMMARY = "lr-curve-summary"
    LOSSES_SUMMARY = "lr-losses-summary"
    CONTOUR_SUMMARY = "lr-contour-summary"
    SWEEP_SUMMARY = "lr-sweep-summary"
    SCHEDULE_SUMMARY = "lr-schedule-summary"
    RUNS = "lr-runs"  # the learner's list of runs: [{"key": n, "lr": η}]
    RUN_SLOT = "lr-run-slot"  # pattern-matching types: {"type": ..., "index": slot 0..7}
    RUN_INPUT = "lr-run-input"
    RUN_REMOVE = "lr-run-remove"
    NEW_LR = "lr-new-lr"
    ADD = "lr-add"
    RUNS_MESSAGE = "lr-runs-message"
    PRESET = "lr-preset"  # pattern-matching type: {"type": PRESET, "index": preset key}
    STEPS = "lr-steps"
    STEPS_MESSAGE = "lr-steps-message"
    STEPS_STATE = "lr-steps-state"  # the last Steps value the page accepted: every section reads this one

    CURVE = "lr-curve"
    LOSSES = "lr-losses"
    TABLE = "lr-table"
    RULE = "lr-rule"
    CSV_BUTTON = "lr-csv-button"  # every one-weight run as one CSV file
    CSV_DOWNLOAD = "lr-csv-download"

    SURFACE = "lr-surface"
    SURFACE_STATE = "lr-surface-state"  # the last good {surface, formula, window} of the 2-D section
    FORMULA = "lr-formula"  # the typed L(x, y); a preset fills it with its text
    FORMULA_MESSAGE = "lr-formula-message"
    WINDOW_X_FROM = "lr-window-x-from"
    WINDOW_X_TO = "lr-window-x-to"
    WINDOW_Y_FROM = "lr-window-y-from"
    WINDOW_Y_TO = "lr-window-y-to"
    WINDOW_MESSAGE = "lr-window-message"
    CONTOUR = "lr-contour"
    DRAWN_CONTOUR = "lr-drawn-contour"  # {"surface": key, "runs": n}: what the contour map in the browser holds
    FACTORS = "lr-factors"
    RULE_2D = "lr-rule-2d"
    CSV_BUTTON_2D = "lr-2d-csv-button"  # every run on the surface as one CSV file
    CSV_DOWNLOAD_2D = "lr-2d-csv-download"

    SWEEP = "lr-sweep"
    SWEEP_TEXT = "lr-sweep-text"

    SCHEDULE = "lr-schedule"
    SCHEDULE_LR = "lr-schedule-lr"
    SCHEDULE_MESSAGE = "lr-schedule-message"
    SCHEDULE_FIGURE = "lr-schedule-figure"
    SCHEDULE_TEXT = "lr-schedule-text"


class Optimizers:
    LINK = "opt-link"  # the query string the address bar shows (app/components/share.py)
    RACE = "race"  # the player's section name
    # the last good settings, flat: surface, formula, window, x0, y0, steps, noise, on, <key>_<field>
    STATE = "opt-state"
    DRAWN = "opt-drawn"  # {"surface": key, "keys": [...]}: what the map and the 3-D view hold now
    SURFACE = "opt-surface"
    FORMULA = "opt-formula"  # the typed L(x, y); a preset fills it with its text
    FORMULA_MESSAGE = "opt-formula-message"
    WINDOW_X_FROM = "opt-window-x-from"
    WINDOW_X_TO = "opt-window-x-to"
    WINDOW_Y_FROM = "opt-window-y-from"
    WINDOW_Y_TO = "opt-window-y-to"
    WINDOW_MESSAGE = "opt-window-message"
    X0_INPUT = "opt-x0-input"
    Y0_INPUT = "opt-y0-input"
    STEPS_INPUT = "opt-steps-input"
    NOISE_INPUT = "opt-noise-input"
    MESSAGE = "opt-message"
    CONTESTANTS = "opt-contestants"  # the checklist of optimizers switched on
    HYPER = "opt-hyper"  # pattern-matching type: {"type": HYPER, "index": "<key>_<field>"}
    HYPER_MESSAGE = "opt-hyper-message"
    PRESET = "opt-preset"  # pattern-matching type: {"type": PRESET, "index": preset key}
    RESULTS = "opt-results"
    SUMMARY = "opt-summary"  # who won and why, in one line (role=status)
    MAP_SUMMARY = "opt-map-summary"  # the map in words, for screen readers
    THEORY = "opt-theory"
    ADAM_RATES = "opt-adam-rates"
    ADAM_TEXT = "opt-adam-text"
    CSV_BUTTON = "opt-csv-button"
    CSV_DOWNLOAD = "opt-csv-download"
    # the basin maps: plain SGD beside one other optimizer, computed when asked for
    BASIN_CHOICE = "opt-basin-choice"  # the optimizer set beside plain SGD
    BASIN_BUTTON = "opt-basin-button"
    BASIN_SHOWN = "opt-basin-shown"  # the compared optimizer's key while the maps are shown, else None
    BASIN_MESSAGE = "opt-basin-message"
    BASIN_SGD = "opt-basin-sgd"
    BASIN_OTHER = "opt-basin-other"
    BASIN_SUMMARY = "opt-basin-summary"
    BASIN_TABLE = "opt-basin-table"


class CodePanel:
    """The code panel's ids for one page: plain strings, because dcc.Clipboard targets a string id."""

    def __init__(self, page: str):
        self.source = f"{page}-code-source"
        self.copy = f"{page}-code-copy"
        self.download_button = f"{page}-code-download-button"
        self.download = f"{page}-code-download"
        self.run = f"{page}-code-run"
        self.trace = f"{page}-code-trace"
        self.cancel = f"{page}-code-cancel"  # stops a queued or running trace
        self.status = f"{page}-code-status"  # the trace's place in the queue, or why it was refused
        self.request = f"{page}-code-request"  # a dcc.Store: a trace to run in the background
        # The panel is a <details>: assets/code_panel.js copies its open state into this dcc.Store, and
        # `wanted` counts the times the shown code must be rebuilt (a change while the panel is open).
        self.opened = f"{page}-code-opened"
        self.wanted = f"{page}-code-wanted"


class Questions:
    """The question panel's ids for one page (app/components/questions.py)."""

    def __init__(self, page: str):
        name = page.strip("/") or "home"
        self.toggle = f"{name}-q-toggle"  # "Predict first"
        self.panel = f"{name}-q-panel"
        self.prompt = f"{name}-q-prompt"
        self.figure = f"{name}-q-figure"
        self.figure_summary = f"{name}-q-figure-summary"
        self.number_row = f"{name}-q-number-row"
        self.number = f"{name}-q-number"  # a number or an angle
        self.number_label = f"{name}-q-number-label"
        self.choice_row = f"{name}-q-choice-row"
        self.point_row = f"{name}-q-point-row"
        self.x = f"{name}-q-x"
        self.y = f"{name}-q-y"
        self.choice = f"{name}-q-choice"
        self.reveal = f"{name}-q-reveal"
        self.another = f"{name}-q-another"
        self.level = f"{name}-q-level"
        self.message = f"{name}-q-message"
        self.verdict = f"{name}-q-verdict"
        self.store = f"{name}-q-store"  # {kind, seed, level, answer, anchor}: never the answer
        self.revealed = f"{name}-q-revealed"
        self.code = f"{name}-q-code"  # a question about code shows its code instead of a figure
        self.figure_box = f"{name}-q-figure-box"
        self.animated = f"{name}-q-animated"  # the output the reveal's animation (assets/reveal.js) needs
        # /practice only: the kind, seed and level the browser picked for the server to draw, and what the
        # server's Reveal says back ({kind, seed, level, right}) for the browser's own progress.
        self.request = f"{name}-q-request"
        self.outcome = f"{name}-q-outcome"


class Practice:
    """/practice: a mixed set from every page. The learner's progress is in localStorage only."""

    LINK = "practice-link"
    PROGRESS = "practice-progress"  # dcc.Store(storage_type="local"): never an Input or State of a server callback
    CATALOGUE = "practice-catalogue"  # every kind's key and page: the same for everyone
    TABLE = "practice-table"
    FORGET = "practice-forget"
    FORGOTTEN = "practice-forgotten"  # the confirmation line (role=status)
    TOTAL = "practice-total"  # the table's caption: all tries and all correct, in words
    FROM = "practice-from"  # which page the question in the panel is from

    @staticmethod
    def cell(page: str, column: str) -> str:
        """One cell of the table: a page's tries, correct or streak."""
        return f"practice-{page.strip('/')}-{column}"


class Autograd:
    LINK = "autograd-link"  # the query string the address bar shows (app/components/share.py)
    GRAPH_SUMMARY = "autograd-graph-summary"
    PITFALL_SUMMARY = "autograd-pitfall-summary"
    X_INPUT = "autograd-x-input"
    A_INPUT = "autograd-a-input"
    B_INPUT = "autograd-b-input"
    LR_INPUT = "autograd-lr-input"
    STEPS_INPUT = "autograd-steps-input"
    FORGET = "autograd-forget-zero-grad"
    MESSAGE = "autograd-message"
    STATE = "autograd-state"
    DRAWN = "autograd-drawn"  # the state the figures in the browser show: what a change can leave alone

    READ_Y = "autograd-read-y"
    READ_XGRAD = "autograd-read-x-grad"
    READ_Z = "autograd-read-z"
    READ_GRADIENT = "autograd-read-gradient"
    GRAPH = "autograd-graph"
    LOOP_TABLE = "autograd-loop-table"
    MATCH = "autograd-match"
    PITFALL = "autograd-pitfall"
    PITFALL_TEXT = "autograd-pitfall-text"


class Teacher:
    """/class: the teacher runs a live class (app/pages/live_class.py)."""

    SESSION = "class-teacher-session"  # dcc.Store (local): {code, secret}; the secret is sent only in request bodies
    START = "class-start"
    RESUME_CODE = "class-resume-code"  # the class's join code, typed to resume on this device
    RESUME_SECRET = "class-resume-secret"  # the resume code, typed
    RESUME = "class-resume"
    MESSAGE = "class-message"
    SETUP = "class-setup"  # the start and resume section, hidden while a class runs
    RUNNING = "class-running"  # everything about the running class
    JOIN_CARD = "class-join-card"  # the link, the code and the QR code: large until something is open
    JOIN_CODE = "class-join-code"
    JOIN_LINK = "class-join-link"
    QR = "class-qr"
    RESUME_NOTE = "class-resume-note"  # the resume code, shown once after starting
    COUNT = "class-count"  # "17 of 24 answered"
    KIND = "class-kind"  # the kind of question to open
    LEVEL = "class-level"
    OPEN = "class-open"
    LESSON = "class-lesson"  # a built-in lesson to run
    RUN_LESSON = "class-run-lesson"
    VIEW_INPUT = "class-view-input"  # a view's link (from Copy link on any page), to show everyone
    SHOW_VIEW = "class-show-view"
    BACK = "class-back"
    NEXT = "class-next"
    LOCK = "class-lock"
    REVEAL = "class-reveal"
    PAUSE = "class-pause"
    NAMES = "class-names"
    CSV_BUTTON = "class-csv-button"
    CSV_DOWNLOAD = "class-csv-download"
    END = "class-end"
    POLL = "class-teacher-poll"  # dcc.Interval: the count of answers
    SHOWN = "class-shown"  # the state the dashboard shows: {version, answered}
    NOW = "class-now"  # what is open: the prompt or the view's caption
    FIGURE = "class-figure"
    FIGURE_BOX = "class-figure-box"
    FIGURE_SUMMARY = "class-figure-summary"
    RESULT = "class-result"  # the share right and the most common mistake (role=status)
    VIEW_LINK = "class-view-link"


class Learner:
    """/join: a learner joins a live class and answers on their phone (app/pages/join.py)."""

    SESSION = "join-session"  # dcc.Store (local): {code, token, number, nickname}
    CODE = "join-code"
    NICKNAME = "join-nickname"
    JOIN = "join-button"
    MESSAGE = "join-message"
    FORM = "join-form"
    INSIDE = "join-inside"  # everything after joining
    WHO = "join-who"  # "You are Brave Otter in class K7M2QX"
    LEAVE = "join-leave"
    POLL = "join-poll"  # dcc.Interval: the class's version, fetched in the browser
    VERSION = "join-version"  # the version of the class this screen shows
    SCREEN = "join-screen"  # waiting, look at the projector, paused, ended
    SEND = "join-send"
    SENT = "join-sent"  # "Answer sent" (role=status)
    ROUND = "join-round"  # the round the question on screen belongs to
