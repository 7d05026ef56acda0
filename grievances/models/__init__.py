from .answers import AnswerTemplate
from .apikeys import ApiKey
from .cases import Case, CaseEvent, CasePhoto, Channel, Level, Rating, Status, Summons
from .categories import Category

__all__ = [
    "AnswerTemplate",
    "ApiKey",
    "Case",
    "CaseEvent",
    "CasePhoto",
    "Category",
    "Channel",
    "Level",
    "Rating",
    "Status",
    "Summons",
]
