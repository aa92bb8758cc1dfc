from dossiers.models.caps import ExcellentShareCap
from dossiers.models.catalogue import (
    AwardType,
    DisciplineLevel,
    DocumentKind,
    LegalBasis,
    Rating,
    share_reaches,
)
from dossiers.models.dossier import Document, Dossier, State
from dossiers.models.organisation import (
    Delegation,
    Institution,
    Period,
    Person,
    Role,
    RoleAssignment,
    Unit,
)
from dossiers.models.records import (
    AnnualRating,
    DisciplinaryRecord,
    RecognisedInitiative,
    TitleRecord,
)
from dossiers.models.workdays import CalendarDay, HolidayYear

__all__ = [
    "AnnualRating",
    "AwardType",
    "CalendarDay",
    "Delegation",
    "DisciplinaryRecord",
    "DisciplineLevel",
    "Document",
    "DocumentKind",
    "Dossier",
    "ExcellentShareCap",
    "HolidayYear",
    "Institution",
    "LegalBasis",
    "Period",
    "Person",
    "Rating",
    "RecognisedInitiative",
    "Role",
    "RoleAssignment",
    "State",
    "TitleRecord",
    "Unit",
    "share_reaches",
]
