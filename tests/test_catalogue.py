"""The award catalogue: the law's defaults (../shared/domain.md), installed as editable data."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from dossiers.catalogue_defaults import install_award_catalogue
from dossiers.models import AwardType, DocumentKind, LegalBasis

UPWARD_PROVINCE_AWARDS = [
    "provincial_emulation_fighter",
    "provincial_certificate_of_merit",
    "excellent_collective",
]


@pytest.fixture
def awards(institution) -> dict[str, AwardType]:
    return {a.code: a for a in AwardType.objects.of(institution)}


def test_grassroots_emulation_fighter_needs_80_percent_of_the_whole_council(awards):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert (cstdcs.vote_threshold_comparison, cstdcs.vote_threshold_percent) == ("at_least", 80)
    assert cstdcs.vote_threshold_base == "total_membership"


def test_grassroots_emulation_fighter_is_decided_by_the_principal_by_secret_ballot(awards):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert cstdcs.decided_by == "principal"
    assert cstdcs.secret_ballot_required


@pytest.mark.parametrize("code", UPWARD_PROVINCE_AWARDS)
def test_province_level_awards_need_90_percent_and_are_proposed_upward(awards, code):
    award = awards[code]

    assert (award.vote_threshold_comparison, award.vote_threshold_percent) == ("at_least", 90)
    assert award.decided_by == "upward"


def test_advanced_worker_needs_more_than_half_of_the_council(awards):
    advanced = awards["advanced_worker"]

    assert (advanced.vote_threshold_comparison, advanced.vote_threshold_percent) == (
        "more_than",
        50,
    )


def test_every_award_counts_votes_against_the_councils_total_membership(awards):
    assert {a.vote_threshold_base for a in awards.values()} == {"total_membership"}


def test_every_award_lists_the_documents_its_dossier_needs(awards):
    assert all(a.required_document_kinds.exists() for a in awards.values())


def test_every_award_cites_the_law_on_emulation_and_commendation(awards):
    assert all(a.legal_bases.filter(code="06/2022/QH15").exists() for a in awards.values())


def test_decree_98_is_in_force_until_decree_152_replaces_it(institution):
    nd98 = LegalBasis.objects.get(code="98/2023/NĐ-CP")
    nd152 = LegalBasis.objects.get(code="152/2025/NĐ-CP")

    assert (nd98.valid_from, nd98.valid_to) == (
        datetime.date(2023, 12, 31),
        datetime.date(2025, 6, 30),
    )
    assert (nd152.valid_from, nd152.valid_to) == (datetime.date(2025, 7, 1), None)


def test_the_repealed_15_percent_cap_on_grassroots_fighters_is_not_enforced(awards):
    percents = [
        getattr(award, field.name)
        for award in awards.values()
        for field in AwardType._meta.concrete_fields
        if isinstance(field, models.DecimalField)
    ]

    assert Decimal(15) not in percents


def test_installing_the_catalogue_again_creates_nothing(institution):
    before = (AwardType.objects.count(), LegalBasis.objects.count(), DocumentKind.objects.count())

    install_award_catalogue(institution)

    assert (
        AwardType.objects.count(),
        LegalBasis.objects.count(),
        DocumentKind.objects.count(),
    ) == before


def test_reinstalling_the_catalogue_keeps_an_administrators_edit(institution, awards):
    cstdcs = awards["grassroots_emulation_fighter"]
    cstdcs.vote_threshold_percent = Decimal(85)
    cstdcs.save()

    install_award_catalogue(institution)

    cstdcs.refresh_from_db()
    assert cstdcs.vote_threshold_percent == 85


def test_each_institution_gets_its_own_catalogue(institution, other_institution):
    ours = AwardType.objects.of(institution)
    theirs = AwardType.objects.of(other_institution)

    assert set(ours.values_list("code", flat=True)) == set(theirs.values_list("code", flat=True))
    assert not set(ours.values_list("pk", flat=True)) & set(theirs.values_list("pk", flat=True))


def test_editing_one_institutions_award_leaves_the_others_alone(institution, other_institution):
    AwardType.objects.of(institution).filter(code="advanced_worker").update(
        vote_threshold_percent=Decimal(60)
    )

    theirs = AwardType.objects.of(other_institution).get(code="advanced_worker")
    assert theirs.vote_threshold_percent == 50


# Counting the council's votes


@pytest.mark.parametrize(("agree", "passes"), [(8, True), (7, False)])
def test_grassroots_fighter_needs_8_of_10_council_members(awards, agree, passes):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert cstdcs.vote_passes(agree=agree, total_membership=10, present=10) is passes


def test_grassroots_fighter_with_8_of_9_present_agreeing_passes_in_a_council_of_10(awards):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert cstdcs.vote_passes(agree=8, total_membership=10, present=9)


def test_grassroots_fighter_with_7_of_8_present_agreeing_fails_in_a_council_of_10(awards):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert not cstdcs.vote_passes(agree=7, total_membership=10, present=8)


@pytest.mark.parametrize(("agree", "passes"), [(5, False), (6, True)])
def test_more_than_half_means_a_tie_fails(awards, agree, passes):
    advanced = awards["advanced_worker"]

    assert advanced.vote_passes(agree=agree, total_membership=10, present=10) is passes


def test_a_threshold_counted_on_members_present_uses_those_present(awards):
    cstdcs = awards["grassroots_emulation_fighter"]
    cstdcs.vote_threshold_base = AwardType.VoteBase.MEMBERS_PRESENT

    assert cstdcs.vote_passes(agree=7, total_membership=10, present=8)


def test_a_council_without_members_never_passes_anything(awards):
    advanced = awards["advanced_worker"]

    assert not advanced.vote_passes(agree=0, total_membership=0, present=0)
    assert not advanced.quorum_met(present=0, total_membership=0)


@pytest.mark.parametrize(("present", "met"), [(5, False), (6, True)])
def test_the_default_quorum_is_more_than_half_of_the_members(awards, present, met):
    cstdcs = awards["grassroots_emulation_fighter"]

    assert cstdcs.quorum_met(present=present, total_membership=10) is met


def _law_default():
    return importlib.import_module("dossiers.migrations.0011_award_same_period_title").law_default


def test_a_catalogue_installed_before_the_same_period_rule_gets_the_laws_default(institution):
    fighter = AwardType.objects.get(institution=institution, code="grassroots_emulation_fighter")
    AwardType.objects.filter(pk=fighter.pk).update(same_period_award=None)

    _law_default()(apps, None)

    fighter.refresh_from_db()
    assert fighter.same_period_award.code == "advanced_worker"
    assert fighter.same_period_award.institution_id == institution.pk


def test_a_same_period_title_the_institution_chose_is_kept_by_the_migration(institution):
    fighter = AwardType.objects.get(institution=institution, code="grassroots_emulation_fighter")
    chosen = AwardType.objects.get(institution=institution, code="certificate_of_merit")
    AwardType.objects.filter(pk=fighter.pk).update(same_period_award=chosen)

    _law_default()(apps, None)

    fighter.refresh_from_db()
    assert fighter.same_period_award_id == chosen.pk
