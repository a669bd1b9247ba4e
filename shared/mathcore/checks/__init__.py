"""Answer checking: STACK-style answer tests, mistake recognition, list and point answers.

>>> from shared.mathcore.checks import check_answer
"""

from shared.mathcore.checks.answer import TESTS, check_answer
from shared.mathcore.checks.lists import ListOutcome, check_list, check_points
from shared.mathcore.checks.outcome import CheckOutcome

__all__ = ["TESTS", "CheckOutcome", "ListOutcome", "check_answer", "check_list", "check_points"]
