from .answers import AnswerTemplate
from .apikeys import ApiKey
from .cards import CaseCard
from .cases import Case, CaseEvent, CasePhoto, Channel, Level, Rating, Status, Summons
from .categories import Category
from .extensions import ExtensionRequest

__all__ = [
    "AnswerTemplate",
    "ApiKey",
    "Case",
    "CaseCard",
    "CaseEvent",
    "CasePhoto",
    "Category",
    "Channel",
    "ExtensionRequest",
    "Level",
    "Rating",
    "Status",
    "Summons",
]
