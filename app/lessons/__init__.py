"""Lessons: a teacher's ordered steps (views and questions), carried by a link or a small JSON file."""
