"""The catalogue of red flags (DOMAIN §5): what each looks at, its rule in plain words, why it matters, its
inputs, its threshold and its known false positives; and what a hit is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from funding.models import STATE_MECHANISMS, Award
from funding.reference import (
    PRICE_DUMPING_CAP,
    PRICE_DUMPING_SINCE,
    PRICE_DUMPING_SOURCE,
    SPLIT_THRESHOLD_BASIS,
    SPLIT_THRESHOLD_MCI,
)
from registry.templatetags.registry_tags import number

SPLIT_SHARE = Decimal("0.90")  # "just under": from 90% of the threshold up to it
SPLIT_WINDOW_DAYS = 60
HHI_CONCENTRATED = 2500  # on the 0-10,000 scale, as competition authorities read it
MIN_AWARDS_FOR_CONCENTRATION = 5
MIN_RECIPIENTS_FOR_CONCENTRATION = 5  # with 4 or fewer the HHI is >= 2,500 by arithmetic (4 equal shares: 2,500)
STATE_DEPENDENCY = Decimal("0.90")
# Double funding: "similar project" amounts, the smaller at least this share of the larger.
DOUBLE_FUNDING_AMOUNT_RATIO = Decimal("0.5")
MISMATCH_TOLERANCE = Decimal("0.10")  # share of the larger figure
MISMATCH_MINIMUM = Decimal(1_000_000)  # KZT: smaller differences are rounding and timing
REPORT_GRACE_DAYS = 90  # with no evaluation recorded, a report is expected this long after the end
NEWBORN_MONTHS = 12
CAPTIVE_YEARS = 3
NOT_REPORTING_SINCE = 2018  # DOMAIN §3.1: since 2018 an applicant must have filed its NGO database report
# Year-end rush: an administrator-year is judged on at least this many awards (or completions) ...
RUSH_MIN_EVENTS = 10
# ... and fires when its December share is at least this ...
RUSH_MIN_SHARE = Decimal("0.30")
# ... and this far above the December share of all administrators that year ...
RUSH_MARGIN = Decimal("0.15")
# ... and a one-sided binomial test puts that many December events below this chance at the pooled rate:
# with about a thousand administrator-years tested, about one would pass by chance alone.
RUSH_SIGNIFICANCE = 0.001

# People (issue 17, scoring/flags/people.py). Two names match fuzzily when their words pair up, each pair equal
# or, both of at least this many letters ...
FUZZY_MIN_LETTERS = 5
# ... differing by at most this many letters (Levenshtein distance): transliterations (Aliyev, Aliev), not
# different names (Alimov, Aliev).
FUZZY_MAX_EDITS = 1
REVOLVING_DOOR_YEARS = 2  # an award at most this long after its recipient's head left the administrator
MANY_RECIPIENTS = 2  # one person behind at least this many recipients of one administrator in a year

Text = str | Promise


# A threshold inside a sentence, formatted when the sentence is read, in the reader's language ("2 500", "2,500").
_number = lazy(number, str)


def _pct(value: Decimal) -> str:
    return f"{value * 100:.0f}%"


@dataclass(frozen=True)
class FlagRule:
    code: str
    name: Text
    subject: str  # award, competition, administrator, organisation
    rule: Text
    why: Text
    inputs: Text
    threshold: Text
    false_positives: Text
    threshold_why: Text = ""
    # The figures a hit shows, in order: value key -> (label, kind); kinds are formatted by figures.py.
    figures: dict[str, tuple[Text, str]] = field(default_factory=dict)


SUBJECT_LABELS: dict[str, Text] = {
    "award": _("award"),
    "competition": _("competition"),
    "administrator": _("administrator"),
    "organisation": _("organisation"),
    "person": _("person"),  # a record of the people flags (issue 17)
}

# The people flags' one way of matching names, said once.
NAMES_MATCH = format_lazy(
    _(
        "Names match exactly (the same person record, or the same name key across Kazakh, Russian and Latin "
        "spellings) or fuzzily (the same number of words, each word of {letters} letters or more allowed to differ "
        "by {edits} letter)."
    ),
    letters=FUZZY_MIN_LETTERS,
    edits=FUZZY_MAX_EDITS,
)
NAMES_MATCH_WHY = _(
    "Any such tie is worth a look. One letter per word catches transliterations (Aliyev, Aliev) but also different "
    "names one letter apart, so each hit shows how many letters differ."
)
NAME_LETTERS_DIFFER = _("letters that differ between the names matched (0: an exact match)")

CATALOGUE = [
    FlagRule(
        "concentration",
        _("Funding concentration"),
        "administrator",
        format_lazy(
            _(
                "The Herfindahl-Hirschman index of the recipients' shares of an administrator's state money in a "
                "year is {hhi} or more (of 10,000), over at least {awards} awards and at least {recipients} "
                "different recipients. The number of different applicants is shown beside it."
            ),
            hhi=_number(HHI_CONCENTRATED),
            awards=MIN_AWARDS_FOR_CONCENTRATION,
            recipients=MIN_RECIPIENTS_FOR_CONCENTRATION,
        ),
        _("Money flowing to a few organisations can mean a captured programme."),
        _("awards of the year: recipient, amount; applications to the administrator's competitions"),
        format_lazy(
            _("HHI ≥ {hhi}, ≥ {recipients} recipients, ≥ {awards} awards"),
            hhi=_number(HHI_CONCENTRATED),
            recipients=MIN_RECIPIENTS_FOR_CONCENTRATION,
            awards=MIN_AWARDS_FOR_CONCENTRATION,
        ),
        _("Small programmes with one natural provider; a region with few eligible NGOs."),
        _(
            "2,500 is where competition authorities call a market highly concentrated. With four recipients or "
            "fewer the index is 2,500 or more whatever the amounts (four equal shares give exactly 2,500), so such "
            "years say nothing and are not judged; few applicants beside few recipients points at the call, not "
            "the choice."
        ),
        {
            "hhi": (_("HHI (0-10,000)"), "hhi"),
            "recipients": (_("different recipients"), "count"),
            "applicants": (_("different applicants to its competitions that year"), "count_or_unknown"),
            "awards": (_("awards"), "count"),
            "top1_share": (_("largest recipient's share"), "percent100"),
            "top5_share": (_("five largest recipients' share"), "percent100"),
            "total": (_("state money awarded, KZT"), "kzt"),
            "hhi_threshold": (_("threshold: HHI at least"), "count"),
            "min_recipients": (_("threshold: recipients at least"), "count"),
            "min_awards": (_("threshold: awards at least"), "count"),
        },
    ),
    FlagRule(
        "single_applicant",
        _("Single applicant"),
        "competition",
        _(
            "A lot had exactly one application left after rejections and withdrawals (the reported number of "
            "applicants counts where applications are not recorded)."
        ),
        _("Without competition the price and the choice are not tested."),
        _("applications per lot and their outcomes; the lot's reported applicants"),
        _("exactly 1 application neither rejected nor withdrawn"),
        _("Niche services with one qualified provider; poorly advertised calls."),
        _("A withdrawn or rejected application never competed with the winner, so it does not count."),
        {
            "lot": (_("lot number"), "text"),
            "applications": (_("applications recorded"), "count"),
            "rejected": (_("rejected"), "count"),
            "withdrawn": (_("withdrawn"), "count"),
            "admissible": (_("applications left"), "count"),
            "reported_applicants": (_("applicants reported (where applications are not recorded)"), "count_or_unknown"),
        },
    ),
    FlagRule(
        "captive_recipient",
        _("Captive recipient"),
        "organisation",
        format_lazy(
            _(
                "A recipient funded by one administrator only, in {years} or more different years; or winning "
                "every lot of a competition with two or more lots."
            ),
            years=CAPTIVE_YEARS,
        ),
        _("A stable pairing of funder and recipient can hide a pre-arranged choice."),
        _("state awards: administrator, recipient, year; lots won per competition"),
        format_lazy(_("one administrator over ≥ {years} years; all lots (≥ 2)"), years=CAPTIVE_YEARS),
        _("A long-standing specialised service provider; a region with one able NGO."),
        _("Three years is longer than one multi-year scheme (up to three budget years) renewed once."),
        {
            "administrator": (_("only administrator"), "text"),
            "years": (_("years funded"), "list"),
            "competition": (_("competition"), "text"),
            "lots": (_("lots, all won"), "count"),
        },
    ),
    FlagRule(
        "new_born",
        _("New-born recipient"),
        "award",
        format_lazy(
            _(
                "Awarded less than {months} months after the recipient's registration (the registration date, or "
                "the month encoded in its BIN)."
            ),
            months=NEWBORN_MONTHS,
        ),
        _("Organisations set up just before a competition may be created to capture it."),
        _("award date; registration date or BIN month"),
        format_lazy(_("< {months} months"), months=NEWBORN_MONTHS),
        _("New organisations founded by experienced people; re-registrations after a reorganisation."),
        _("Less than a year before the award: the organisation has not completed one full reporting cycle."),
        {
            "registered": (_("registered"), "date"),
            "source": (_("registration from"), "source"),
            "months": (_("months from registration to award"), "count"),
        },
    ),
    FlagRule(
        "not_reporting",
        _("Not reporting"),
        "award",
        format_lazy(
            _(
                "The recipient had not filed its yearly report for the year before the award (a legal "
                "precondition for state money since {since}) by the award date. Awards made before {since} are "
                "not checked."
            ),
            since=NOT_REPORTING_SINCE,
        ),
        _("The NGO database report is required before receiving state money."),
        _("award date; yearly reports and their filing dates"),
        format_lazy(
            _("no report for the previous year filed by the award date, for awards from 1 January {since}"),
            since=NOT_REPORTING_SINCE,
        ),
        _("Organisations registered in the previous year (nothing was due); reports filed on paper, not recorded."),
        format_lazy(
            _(
                "The legal precondition itself: since {since} the Law on State Social Order, Grants and Awards for "
                "NGOs requires the yearly report to the NGO database; before 31 March the year before last's report "
                "is needed."
            ),
            since=NOT_REPORTING_SINCE,
        ),
        {
            "report_year": (_("report needed for year"), "text"),
            "filed_on": (_("report filed on"), "date"),
        },
    ),
    FlagRule(
        "shared_contacts",
        _("Shared contacts"),
        "organisation",
        _("Two or more different applicants or recipients give the same phone number, e-mail or address."),
        _("Linked organisations can fake competition or split money."),
        _("contacts of applicants and recipients (phone digits, e-mail, address, normalised)"),
        _("≥ 2 organisations"),
        _("Branches of one organisation; shared offices in an NGO resource centre; an accountant's number."),
        _("Any sharing between organisations that are not branches of one another is worth a look."),
        {
            "contact": (_("contact shared"), "contact"),
            "value": (_("value (normalised)"), "text"),
            "organisations": (_("organisations sharing it"), "count"),
        },
    ),
    FlagRule(
        "threshold_splitting",
        _("Threshold splitting"),
        "award",
        format_lazy(
            _(
                # xgettext:no-python-format
                "Two or more awards from one administrator to one recipient within {days} days, outside "
                "competitions, each between {share} and 100% of Qogam's splitting threshold ({mci} MCI of the "
                "award's year)."
            ),
            days=SPLIT_WINDOW_DAYS,
            share=_pct(SPLIT_SHARE),
            mci=_number(SPLIT_THRESHOLD_MCI),
        ),
        _("Splitting a contract keeps each part under the threshold that would require a full competition."),
        _("awards outside competitions: administrator, recipient, date, amount; the MCI of the year (2003-2026)"),
        format_lazy(
            # xgettext:no-python-format
            _("≥ 2 awards in {days} days at {share}-100% of {mci} MCI"),
            days=SPLIT_WINDOW_DAYS,
            share=_pct(SPLIT_SHARE),
            mci=_number(SPLIT_THRESHOLD_MCI),
        ),
        _("Genuinely separate small projects; phased funding agreed in advance."),
        _(SPLIT_THRESHOLD_BASIS),
        {
            "amount": (_("award amount, KZT"), "kzt"),
            "threshold": (_("threshold, KZT"), "kzt"),
            "threshold_mci": (_("threshold, MCI"), "count"),
            "mci": (_("MCI of the year, KZT (law on the republican budget)"), "kzt"),
            "share": (_("amount / threshold"), "percent"),
            "min_share": (_("threshold: at least"), "percent"),
            "others_in_window": (_("other such awards in the window"), "count"),
            "window_days": (_("window, days"), "count"),
        },
    ),
    FlagRule(
        "price_outlier",
        _("Price outlier"),
        "award",
        _(
            "The awarded amount divided by the lot's planned amount lies outside the fences Q1 - 1.5 IQR and "
            "Q3 + 1.5 IQR over all awards with a lot in the same mechanism and year. Only the one award of a lot is "
            "judged: a lot shared by several winners is left out."
        ),
        _("Heavy dumping or no saving at all can both point at a rigged competition."),
        _("award amount; its lot's planned amount; the number of awards on the lot"),
        _("outside the fences of its peer group; lots with one award"),
        _("Lots re-scoped after the call; peer groups with few awards."),
        _(
            "Tukey's fences, as OCDS Cardinal, the Open Contracting Partnership's red-flag library, uses them; peer "
            "groups of at least 4 awards. A lot "
            "shared by several winners (a state-grant theme) has one plan for all of them, so one winner's amount "
            "against it says nothing about its price."
        ),
        {
            "ratio": (_("awarded / planned"), "percent"),
            "planned": (_("planned amount, KZT"), "kzt"),
            "q1": (_("peer group: first quartile"), "percent"),
            "q3": (_("peer group: third quartile"), "percent"),
            "lower": (_("lower fence (Q1 - 1.5 IQR)"), "percent"),
            "upper": (_("upper fence (Q3 + 1.5 IQR)"), "percent"),
            "n": (_("awards in the peer group"), "count"),
        },
    ),
    FlagRule(
        "price_dumping",
        _("Price dumping"),
        "award",
        format_lazy(
            _(
                "A social-order award from a competition announced on or after {since} whose amount as first "
                "awarded (before any amendment) is more than {cap} below its lot's planned amount."
            ),
            since=PRICE_DUMPING_SINCE.isoformat(),
            cap=_pct(PRICE_DUMPING_CAP),
        ),
        _(
            "The 2015 reform limited price dumping in state social order; a much cheaper bid can mean a service "
            "that will not be delivered, or a winner chosen on price alone."
        ),
        _("social-order award: amount as awarded; its lot's planned amount; the competition's announcement date"),
        format_lazy(_("awarded < {floor} of planned"), floor=_pct(1 - PRICE_DUMPING_CAP)),
        _("Lots whose planned amount was overstated; savings explained in the commission's minutes."),
        _(PRICE_DUMPING_SOURCE),
        {
            "amount_awarded": (_("amount as awarded, KZT"), "kzt"),
            "planned": (_("planned amount, KZT"), "kzt"),
            "ratio": (_("awarded / planned"), "percent"),
            "floor": (_("lowest amount within the limit, KZT"), "kzt"),
            "cap": (_("limit on dumping"), "percent"),
            "announced": (_("competition announced"), "date"),
        },
    ),
    FlagRule(
        "charter_mismatch",
        _("Outside the charter"),
        "award",
        _(
            "The award's field of activity is not among the recipient's recorded fields of activity, which stand "
            "for the activities of its charter. An organisation with no field recorded is not judged."
        ),
        _(
            "A social project must fall within the recipient's charter (Law on State Social Order, Grants and "
            "Awards for NGOs)."
        ),
        _("award's field of activity; the recipient's fields of activity"),
        _("the award's field is not one of the recipient's (at least one recorded)"),
        _("Charters that changed (the registry keeps today's fields); fields recorded incompletely."),
        _("Eligibility rule of the Law on State Social Order: the project must fall within the charter."),
        {
            "field": (_("award's field of activity"), "field"),
            "recipient_fields": (_("recipient's fields of activity"), "fields"),
        },
    ),
    FlagRule(
        "year_end_rush",
        _("Year-end rush"),
        "administrator",
        format_lazy(
            _(
                "The share of an administrator's awards made in December, or of its projects completed in "
                "December, is well above the December share of all the other administrators that year: at least "
                "{n} awards (or completions), a December share of at least {share} and at least {margin} points "
                "above the others', and a one-sided binomial test at {alpha} (that many December events would be "
                "that unlikely if each fell in December at the others' rate)."
            ),
            n=RUSH_MIN_EVENTS,
            share=_pct(RUSH_MIN_SHARE),
            margin=f"{RUSH_MARGIN * 100:.0f}",
            alpha=RUSH_SIGNIFICANCE,
        ),
        _("Money spent in a rush before the budget year closes gets less scrutiny."),
        _(
            "award dates and project end dates (not terminated, ended by today) by administrator and year; all "
            "other administrators' December shares that year"
        ),
        format_lazy(
            _("≥ {n} events, December share ≥ {share} and ≥ the others' + {margin} points, p < {alpha}"),
            n=RUSH_MIN_EVENTS,
            share=_pct(RUSH_MIN_SHARE),
            margin=f"{RUSH_MARGIN * 100:.0f}",
            alpha=RUSH_SIGNIFICANCE,
        ),
        _("Programmes whose calendar ends in December by design."),
        _(
            "Most administrators award almost nothing in December, so quartile fences over their shares are 0 "
            "and one December award would fire; the pooled share of all the other administrators is a steadier "
            "reference (the administrator itself is left out, or a big one would raise its own yardstick). "
            "The minimum count keeps tiny administrators out; the minimum share and margin keep small differences "
            "out; the test level keeps chance hits to about one in a thousand administrator-years."
        ),
        {
            "awards": (_("awards"), "count"),
            "awards_december": (_("awards in December"), "count"),
            "awards_share": (_("share of awards in December"), "percent"),
            "awards_pooled_share": (_("other administrators: share of awards in December"), "percent"),
            "awards_p_value": (_("awards: chance at the others' rate (p)"), "p_value"),
            "completions": (_("projects completed"), "count"),
            "completions_december": (_("projects completed in December"), "count"),
            "completions_share": (_("share of completions in December"), "percent"),
            "completions_pooled_share": (_("other administrators: share of completions in December"), "percent"),
            "completions_p_value": (_("completions: chance at the others' rate (p)"), "p_value"),
            "fired_on": (_("fired on"), "measure"),
            "min_events": (_("threshold: events at least"), "count"),
            "min_share": (_("threshold: December share at least"), "percent"),
            "margin": (_("threshold: above the others' share by at least"), "percent"),
            "significance": (_("threshold: p below"), "p_value"),
        },
    ),
    FlagRule(
        "state_dependency",
        _("State dependency"),
        "organisation",
        _(
            # xgettext:no-python-format
            "State money (social order, grants, awards) is 90% or more of the income an organisation reports "
            "for a year."
        ),
        _("A possible GONGO: an organisation that exists on, and for, state money."),
        _("the yearly report's income by source"),
        _("≥ 90%"),
        _("Service providers that deliver a state programme and have no other donors yet."),
        # xgettext:no-python-format
        _("90% is the level at which watchdogs speak of a possible government-organised NGO (GONGO)."),
        {
            "state_income": (_("state income reported, KZT"), "kzt"),
            "total_income": (_("total income reported, KZT"), "kzt"),
            "share": (_("state share of income"), "percent"),
        },
    ),
    FlagRule(
        "double_funding",
        _("Double funding"),
        "award",
        format_lazy(
            _(
                "The same recipient funded by two different administrators for a similar project in overlapping "
                "periods: the same field of activity, the same region of the award and comparable amounts (the "
                "smaller at least {ratio} of the larger)."
            ),
            ratio=_pct(DOUBLE_FUNDING_AMOUNT_RATIO),
        ),
        _("The same project paid twice."),
        _("state awards: recipient, administrator, field, region, amount, start and end"),
        format_lazy(
            _("overlapping periods, same field and region, amounts within {ratio}"),
            ratio=_pct(DOUBLE_FUNDING_AMOUNT_RATIO),
        ),
        _("Different projects in the same field and place; co-financing agreed between funders."),
        _(
            "The rule asks for a similar project, which the records can only approach: a recipient working in "
            "one field is often funded by a regional and a district department for different projects, so the "
            "field alone says little; the same place and a similar size are what one project paid twice looks "
            'like. Titles are not compared: officials\' titles are generic ("Health project") and would add '
            "nothing to the field."
        ),
        {
            "field": (_("field of activity"), "field"),
            "other_administrators": (_("other administrators"), "list"),
            "amount_ratio": (_("smaller amount / larger, closest pair"), "percent"),
            "min_amount_ratio": (_("threshold: smaller amount at least"), "percent"),
        },
    ),
    FlagRule(
        "overdue_reporting",
        _("Overdue reporting"),
        "award",
        format_lazy(
            _(
                "The project ended and its report was not received by the evaluation's due date (with no "
                "evaluation recorded: {days} days after the end)."
            ),
            days=REPORT_GRACE_DAYS,
        ),
        _("Money spent without an account of what it achieved."),
        _("award end date; evaluations: due and received dates"),
        _("not received by the due date"),
        _("Reports received but not yet recorded."),
        _("The due date is the evaluation's own; without one, a generous quarter after the end."),
        {
            "ended": (_("project ended"), "date"),
            "report_due": (_("report due"), "date"),
            "evaluation": (_("evaluation"), "evaluation"),
        },
    ),
    FlagRule(
        "ineligible_recipient",
        _("Ineligible recipient"),
        "award",
        _(
            "State money went to an organisation whose legal form may not receive it (a party, trade union, "
            "religious association, state institution…) or that was liquidated by the award date."
        ),
        _("The law limits state social order, grants and awards to NGOs."),
        _("recipient's legal form and status history; award date"),
        _("not an eligible NGO on the award date"),
        _("A legal form or status recorded wrongly in the registry."),
        _(
            "The eligibility rule of the Law on State Social Order, Grants and Awards for NGOs itself: political "
            "parties, trade unions and religious associations are not NGOs under it."
        ),
        {
            "legal_form": (_("legal form"), "legal_form"),
            "status_on_award_date": (_("status on the award date"), "status"),
        },
    ),
    FlagRule(
        "self_report_mismatch",
        _("Self-report mismatch"),
        "organisation",
        format_lazy(
            _(
                "The state income an organisation declares in its yearly report differs from the state money "
                "recorded as paid to it that year by more than {tolerance} of the larger figure and more than "
                "{minimum} KZT."
            ),
            tolerance=_pct(MISMATCH_TOLERANCE),
            minimum=_number(MISMATCH_MINIMUM, 0),
        ),
        _("Either the report or the funding records are wrong; both are public duties."),
        _("the report's state income; payments on state awards in the year"),
        format_lazy(
            _("> {tolerance} and > {minimum} KZT"),
            tolerance=_pct(MISMATCH_TOLERANCE),
            minimum=_number(MISMATCH_MINIMUM, 0),
        ),
        _("Payments recorded in the wrong year; money received through a consortium lead."),
        _("Smaller differences are rounding and payments that cross the year's end."),
        {
            "declared": (_("state income declared, KZT"), "kzt"),
            "recorded_paid": (_("state money recorded as paid, KZT"), "kzt"),
            "difference": (_("difference, KZT"), "kzt"),
        },
    ),
    # ---- people on both sides of the money (issue 17; scoring/flags/people.py)
    FlagRule(
        "conflict_of_interest",
        _("Conflict of interest"),
        "competition",
        format_lazy(
            "{rule} {matching}",
            rule=_(
                "A member of a competition's evaluation commission, or an official of its administrator in post on "
                "the competition's dates, is head, founder or board member of one of its applicants on those dates."
            ),
            matching=NAMES_MATCH,
        ),
        _(
            "Whoever decides on the money, or works for the body that spends it, should not also stand behind an "
            "applicant: the public sees the choice as made for oneself."
        ),
        _(
            "commission members of each competition; officials of its administrator with their dates; heads, "
            "founders and board members of its applicants with their dates; the names' matching keys"
        ),
        _("one matching name on the competition's dates (withdrawn applications left out)"),
        _(
            "Namesakes (no personal number is kept, so two people with one name match); a member who declared the "
            "interest and did not score that application; roles recorded without dates, taken as held."
        ),
        NAMES_MATCH_WHY,
        {
            "commission_member": (_("commission member"), "text"),
            "official": (_("official of the administrator, post"), "text"),
            "applicant_head": (_("head of the applicant"), "text"),
            "applicant_founder": (_("founder of the applicant"), "text"),
            "applicant_board": (_("board member of the applicant"), "text"),
            "name_letters_differ": (NAME_LETTERS_DIFFER, "count"),
            "lots": (_("lots applied for"), "list"),
            "lots_won": (_("lots won by the applicant"), "count"),
        },
    ),
    FlagRule(
        "collusion",
        _("Related applicants"),
        "competition",
        format_lazy(
            "{rule} {matching}",
            rule=_(
                "Two different applicants to one lot, neither a branch of the other, have the same head or founder "
                "on the competition's dates."
            ),
            matching=NAMES_MATCH,
        ),
        _(
            "Applicants led or founded by one person do not really compete: one may apply only to make the other's "
            "choice look contested."
        ),
        _("applications per lot; heads and founders of the applicants with their dates; the names' matching keys"),
        _("one head or founder shared by two applicants to a lot"),
        _("Namesakes; a founder of several organisations of one network; roles recorded without dates, taken as held."),
        _(
            "Applicants to different lots do not compete, so each lot is compared on its own; board members are "
            "left out because the boards of umbrella organisations often overlap."
        ),
        {
            "lot": (_("lot number"), "text"),
            "shared_people": (_("the shared person, as each applicant's record names them"), "list"),
            "headed": (_("of the two applicants, those the person heads"), "count"),
            "name_letters_differ": (NAME_LETTERS_DIFFER, "count"),
        },
    ),
    FlagRule(
        "one_person_many_recipients",
        _("One person behind several recipients"),
        "administrator",
        format_lazy(
            "{rule} {matching}",
            rule=format_lazy(
                _(
                    "One person is head or founder, on the award dates, of {n} or more different recipients of one "
                    "administrator's state money in one year (a branch counts with its parent organisation)."
                ),
                n=MANY_RECIPIENTS,
            ),
            matching=NAMES_MATCH,
        ),
        _(
            "Money spread over organisations run by one person can hide its concentration in one hand, or a "
            "contract split between them."
        ),
        _("state awards: administrator, year, recipient, date; heads and founders of the recipients with their dates"),
        format_lazy(_("≥ {n} recipients of one administrator in a year"), n=MANY_RECIPIENTS),
        _(
            "Namesakes; the leader of an umbrella organisation who also founded its members; founders still "
            "recorded long after they stepped back."
        ),
        _(
            "Two organisations in one hand already share one funder's money between them, and the concentration "
            "index counts them as different recipients."
        ),
        {
            "person": (_("person"), "text"),
            "spellings": (_("names as the records give them"), "list"),
            "recipients": (_("recipients the person stands behind"), "count"),
            "as_head": (_("of them, as head"), "count"),
            "as_founder": (_("of them, as founder"), "count"),
            "awards": (_("their awards from the administrator that year"), "count"),
            "total": (_("state money to them that year, KZT"), "kzt"),
            "name_letters_differ": (NAME_LETTERS_DIFFER, "count"),
            "min_recipients": (_("threshold: recipients at least"), "count"),
        },
    ),
    FlagRule(
        "revolving_door",
        _("Revolving door"),
        "award",
        format_lazy(
            "{rule} {matching}",
            rule=format_lazy(
                _(
                    "A state award to an organisation headed, on the award date, by a person who had left a post at "
                    "the awarding administrator at most {years} years before."
                ),
                years=REVOLVING_DOOR_YEARS,
            ),
            matching=NAMES_MATCH,
        ),
        _(
            "A former official brings contacts and inside knowledge to the organisation that then wins the former "
            "employer's money."
        ),
        _(
            "officials of administrators with the dates they left; heads of recipients with their dates; state "
            "awards: administrator, recipient, date"
        ),
        format_lazy(_("award within {years} years after the head left the administrator"), years=REVOLVING_DOOR_YEARS),
        _("Namesakes; specialists who moved openly to an NGO of their field; an end of post recorded late."),
        _(
            "Long enough for a former official's contacts and knowledge to still count, short enough to leave "
            "ordinary careers out; an official still in post is the conflict-of-interest flag's case."
        ),
        {
            "official": (_("former official, post"), "text"),
            "left_post": (_("left the post"), "date"),
            "head": (_("head of the recipient on the award date"), "text"),
            "days_after_leaving": (_("days from leaving the post to the award"), "count"),
            "name_letters_differ": (NAME_LETTERS_DIFFER, "count"),
            "max_years": (_("threshold: years after leaving, at most"), "count"),
        },
    ),
    FlagRule(
        "not_best_scored",
        _("Winner not the best scored"),
        "competition",
        _(
            "A lot's winner received, at the last selection stage at which it was scored, a lower total of "
            "commission scores than an application to the same lot that did not win (where the two carry different "
            "numbers of scores, their mean score per member and criterion is compared). Rejected and withdrawn "
            "applications are left out; a tie does not count."
        ),
        _(
            "A commission may choose against its own scores, but then its protocol owes the reasons: the scores are "
            "what a choice is explained by."
        ),
        _("commission scores per application, member, criterion and stage; the applications' outcomes per lot"),
        _("a lower total (or mean) than a losing application's at the same stage"),
        _(
            "Scores recorded incompletely; a better-scored applicant that failed a later check not recorded as "
            "rejected; criteria with different maxima added up."
        ),
        _("The best scored application is meant to win: any exception is worth a look."),
        {
            "lot": (_("lot number"), "text"),
            "stage": (_("selection stage compared"), "count"),
            "winner_total": (_("winner's total score"), "hhi"),
            "winner_scores": (_("winner's scores recorded"), "count"),
            "best_total": (_("total score of the best application that did not win"), "hhi"),
            "best_scores": (_("its scores recorded"), "count"),
            "outscored_by": (_("applications that did not win and scored higher"), "count"),
            "compared": (_("applications compared"), "count"),
        },
    ),
]
RULES = {rule.code: rule for rule in CATALOGUE}


@dataclass
class Hit:
    code: str
    subject_type: str
    subject_key: str
    title: str
    year: int | None = None
    administrator: str = ""
    region: str = ""
    organisation_id: int | None = None
    amount: Decimal | None = None
    values: dict = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------- reading the records


@contextmanager
def stream(queryset, chunk_size: int = 5000) -> Iterator:
    """A queryset's rows, read in chunks and closed on leaving the block, so PostgreSQL's server-side cursor
    is released inside the transaction even when a merge stops before the last row."""
    rows = queryset.iterator(chunk_size=chunk_size)
    try:
        yield rows
    finally:
        rows.close()


def state_awards():
    return Award.objects.filter(mechanism__in=STATE_MECHANISMS)


def award_record(row: dict) -> dict:
    return {"type": "award", "key": row["public_id"], "label": row["title"]}


def award_hit(code: str, row: dict, values: dict, records: list | None = None) -> Hit:
    return Hit(
        code=code,
        subject_type="award",
        subject_key=row["public_id"],
        title=row["title"],
        year=row["awarded_on"].year,
        administrator=row["administrator__code"],
        region=row["region_id"] or "",
        organisation_id=row["recipient_id"],
        amount=row["amount"],
        values=values,
        records=records or [award_record(row)],
    )


AWARD_VALUES = ("id", "public_id", "title", "awarded_on", "administrator__code", "region_id", "recipient_id", "amount")
