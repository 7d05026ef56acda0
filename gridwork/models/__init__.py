from gridwork.models.figures import GridworkRolledUpDay, ProblemDay, VisitDay
from gridwork.models.households import CareTag, Colour, ColourChange, Household, Person
from gridwork.models.imports import ImportJob
from gridwork.models.lists import Problem, Task
from gridwork.models.patrols import Patrol
from gridwork.models.visits import OverdueFlag, Visit, VisitPolicy

__all__ = [
    "CareTag",
    "Colour",
    "ColourChange",
    "GridworkRolledUpDay",
    "Household",
    "ImportJob",
    "OverdueFlag",
    "Patrol",
    "Person",
    "Problem",
    "ProblemDay",
    "Task",
    "Visit",
    "VisitDay",
    "VisitPolicy",
]
