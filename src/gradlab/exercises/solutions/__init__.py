"""Reference answers to :mod:`gradlab.exercises`, one module per tutorial topic.

Kept apart from the notebooks: try first, then compare. ``gradlab.exercises.solution(name)``
returns the source of one answer.
"""
