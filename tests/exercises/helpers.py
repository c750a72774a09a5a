"""What the exercise tests share."""

from __future__ import annotations

from gradlab import exercises


def wrong_message(name: str, answer: object) -> str:
    """Grade ``answer`` to exercise ``name``, assert it is rejected, return the message."""
    report = exercises.check(name, answer)
    assert not report.passed, f"{name}: a wrong answer was accepted"
    return report.message
