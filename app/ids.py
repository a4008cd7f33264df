"""Component ids, one class per page. Layout, callbacks and tests all import these; no id is ever
spelled twice as a string literal."""


class Shell:
    NAV = "nav"
    NAV_LINK = "nav-link"  # pattern-matching type: {"type": NAV_LINK, "index": the page's path}
    LOCATION = "url"


class Derivative:
    FUNCTION = "derivative-function"
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
    SURFACE = "gradient-surface"
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
