from dossiers.models.caps import ExcellentShareCap, NominationCap
from dossiers.models.catalogue import (
    AwardType,
    DisciplineLevel,
    DocumentKind,
    LegalBasis,
    MovementKind,
    Rating,
    share_reaches,
)
from dossiers.models.dossier import Document, Dossier, State
from dossiers.models.emulation import Movement, Registration
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
from dossiers.models.rules import DEFAULT_SEVERITY, EligibilityRule, RuleCode, Severity
from dossiers.models.workdays import CalendarDay, HolidayYear

__all__ = [
    "DEFAULT_SEVERITY",
    "AnnualRating",
    "AwardType",
    "CalendarDay",
    "Delegation",
    "DisciplinaryRecord",
    "DisciplineLevel",
    "Document",
    "DocumentKind",
    "Dossier",
    "EligibilityRule",
    "ExcellentShareCap",
    "HolidayYear",
    "Institution",
    "LegalBasis",
    "Movement",
    "MovementKind",
    "NominationCap",
    "Period",
    "Person",
    "Rating",
    "RecognisedInitiative",
    "Registration",
    "Role",
    "RoleAssignment",
    "RuleCode",
    "Severity",
    "State",
    "TitleRecord",
    "Unit",
    "share_reaches",
]
