"""A live class: learners join from their phones and answer; the teacher runs it (app/pages/class_*.py)."""
