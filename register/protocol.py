"""Reference data every council's register starts with, from the Partnership Protocol.

Democratic Services edit it in admin afterwards. It is written by a data migration, and written
again after a database flush (as between transactional tests), but only where it is missing.
"""

from decimal import Decimal

# (section, question, hint), in the order Appendix 1 asks them.
APPENDIX_1 = [
    (
        "general",
        "Does the Council have the legal power to enter into the partnership arrangement?",
        "",
    ),
    (
        "general",
        "Is there any law or other provision that prevents the Council from entering into the partnership arrangement?",
        "Answer 'No' when nothing prevents it.",
    ),
    (
        "agreement",
        "Is there a written agreement or governing document in place?",
        "All partnerships the Council takes part in must have one.",
    ),
    (
        "agreement",
        "Does the agreement make the status of the partnership clear?",
        "Legally binding document, statement of intent, memorandum of understanding or protocol.",
    ),
    (
        "agreement",
        "Does the agreement include the terms of reference of the partnership?",
        "The purpose of the partnership and what it will do.",
    ),
    ("agreement", "Does the agreement define how the partners will work together?", ""),
    ("agreement", "Does the agreement set out the responsibilities of each of the partners?", ""),
    ("agreement", "Are the powers of the partnership set out?", ""),
    (
        "constitution",
        "Is the Council's representation (officers, members and substitutes) agreed?",
        "",
    ),
    ("constitution", "Is it agreed how the other partners will be represented?", ""),
    (
        "constitution",
        "Is it agreed how the partnership will make decisions?",
        "For example, by simple majority vote, casting vote by the chair; whether there is a partnership board.",
    ),
    (
        "constitution",
        "Are membership, the chair and secretary, and any review or time limits on membership agreed?",
        "",
    ),
    (
        "constitution",
        "Are the frequency of meetings, the quorum and the recording and distribution of minutes agreed?",
        "",
    ),
    ("agreement", "Are the financial arrangements agreed?", ""),
    ("agreement", "Are risk management arrangements in place?", ""),
    ("agreement", "Is it agreed how and when the work of the partnership will be reviewed?", ""),
    ("agreement", "Is there a mechanism for dispute resolution?", ""),
    (
        "agreement",
        "Is there provision for the Council to exit the partnership, both planned and unplanned?",
        "",
    ),
    (
        "agreement",
        "Have the potential liabilities of the partnership and the Council been identified?",
        "",
    ),
    ("agreement", "Is a mechanism to deal with complaints needed, and is it in place?", ""),
    ("agreement", "Is there a need for an information sharing protocol, and is it in place?", ""),
    (
        "agreement",
        "Has equalities legislation been considered?",
        "Including an equality impact assessment where appropriate and proportionate.",
    ),
    ("agreement", "Are there provisions to review or vary the agreement itself over time?", ""),
    (
        "delegated_powers",
        "Will the people representing the Council need delegated authority to take decisions on its behalf?",
        "",
    ),
    (
        "delegated_powers",
        "Do those people have the necessary delegated powers?",
        "Contact Legal Services for advice on legal and governance issues.",
    ),
]


def seed_checklist_and_threshold(consideration_model, threshold_model, using="default"):
    """Add the Appendix 1 considerations and the default threshold, unless already there."""
    considerations = consideration_model.objects.using(using)
    if not considerations.exists():
        considerations.bulk_create(
            consideration_model(section=section, question=question, hint=hint, position=position)
            for position, (section, question, hint) in enumerate(APPENDIX_1, start=1)
        )
    threshold_model.objects.using(using).get_or_create(
        pk=1,
        defaults={
            "annual_financial_commitment": Decimal("100000.00"),
            "material_service_delivery": True,
        },
    )
