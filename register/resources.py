"""The register as a spreadsheet: the columns Democratic Services import and export in admin.

Columns carry the registration form's own headings and human values (names, Yes/No, dates as
DD/MM/YYYY), so a file exported here can be edited in Excel and imported again. An import runs in
one transaction: a file with any bad row writes nothing, and each error names its row and column.
"""

import operator
import re
from datetime import date, datetime
from functools import reduce

import pghistory
import tablib
from diff_match_patch import diff_match_patch
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from import_export import fields, resources, widgets

from partnerships_site.exports import FORMULA_TRIGGERS, escape_cell
from register.models import (
    ChecklistAnswer,
    ChecklistConsideration,
    CorporatePriority,
    Directorate,
    Organisation,
    Partnership,
    PartnershipPartner,
    StatusChange,
)
from register.services import ConflictError, save_with_version

LIST_SEPARATOR = ";"
DATE_FORMAT = "%d/%m/%Y"


# A CSV file read in text mode has its carriage returns turned into newlines.
UNESCAPE_TRIGGERS = (*FORMULA_TRIGGERS, "\n")


def unescape_formula(value: str) -> str:
    """Undo escape_cell(), so a file exported here imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(UNESCAPE_TRIGGERS):
        return value[1:]
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([escape_cell(cell) for cell in row])
    return escaped


def _text(value) -> str:
    """A cell as text: blank for empty cells, whole numbers without Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_formula(str(value).strip())


def name_key(name: str) -> str:
    """A name as compared with another: ignoring case and runs of spaces."""
    return " ".join(name.split()).lower()


def split_list(value) -> list[str]:
    """The names in a semicolon-separated cell, each once (ignoring case), in order."""
    names, seen = [], set()
    for name in _text(value).split(LIST_SEPARATOR):
        name = " ".join(name.split())
        if name and name_key(name) not in seen:
            seen.add(name_key(name))
            names.append(name)
    return names


# Widgets: one cell <-> one value ------------------------------------------------------------


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class UKDateWidget(widgets.Widget):
    """Dates as DD/MM/YYYY; Excel's own date cells are read as they are."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            return None
        try:
            parsed = datetime.strptime(text, DATE_FORMAT).date()
        except ValueError:
            parsed = None
        if parsed is None or parsed.year < 1900:
            raise ValueError(
                f"“{text}” is not a real date: enter it as DD/MM/YYYY, for example 01/04/2026"
            )
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value.strftime(DATE_FORMAT) if value else ""


class YesNoWidget(widgets.Widget):
    """Yes or No; a blank cell means the field's usual answer."""

    YES = {"yes", "y", "true", "1"}
    NO = {"no", "n", "false", "0"}

    def __init__(self, *, blank=False):
        super().__init__()
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if not text:
            return self.blank
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"Enter Yes or No, not “{_text(value)}”")

    def render(self, value, obj=None, **kwargs):
        return "Yes" if value else "No"


class ChoiceWidget(widgets.Widget):
    """A choice by its label as the forms show it (or its stored value), ignoring case."""

    def __init__(self, choices, *, blank=True):
        super().__init__()
        self.choices = choices
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.blank:
                return ""
            return None
        for stored, label in self.choices.choices:
            if text.lower() in {str(stored).lower(), str(label).lower()}:
                return stored
        labels = ", ".join(str(label) for label in self.choices.labels)
        raise ValueError(f"“{text}” is not one of the choices: {labels}")

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return str(dict(self.choices.choices).get(value, value))


class DirectorateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            return None
        directorate = Directorate.objects.filter(name__iexact=name).first()
        if directorate is None:
            raise ValueError(
                f"There is no directorate called “{name}”: use a name from the list of "
                "directorates in admin"
            )
        return directorate

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class UserWidget(widgets.Widget):
    """A council user by their username or email address."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        users = list(
            get_user_model()
            .objects.filter(Q(username__iexact=text) | Q(email__iexact=text))
            .order_by("pk")[:2]
        )
        if not users:
            raise ValueError(f"No one signs in with the username or email address “{text}”")
        if len(users) > 1:
            raise ValueError(
                f"More than one person has the email address “{text}”: use their username"
            )
        return users[0]

    def render(self, value, obj=None, **kwargs):
        return value.get_username() if value else ""


# Fields that are not a single column of the partnership ------------------------------------


class LeadOrganisationField(fields.Field):
    """The partner that leads the partnership, or the council when the council leads it."""

    def get_value(self, instance):
        if instance.pk is None:
            return ""
        for partner in instance.partners.all():
            if partner.is_lead:
                return partner.organisation.name
        if instance.council_role == Partnership.CouncilRole.LEAD:
            return settings.COUNCIL_NAME
        return ""


class OtherPartnersField(fields.Field):
    def get_value(self, instance):
        if instance.pk is None:
            return ""
        names = sorted(
            (p.organisation.name for p in instance.partners.all() if not p.is_lead),
            key=str.lower,
        )
        return f"{LIST_SEPARATOR} ".join(names)


class PrioritiesField(fields.Field):
    def get_value(self, instance):
        if instance.pk is None:
            return ""
        names = sorted(
            (priority.name for priority in instance.corporate_priorities.all()), key=str.lower
        )
        return f"{LIST_SEPARATOR} ".join(names)


# New organisations named in a file: "Name [Sector]" says the sector; without it, a guess.
SECTOR_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\[(?P<sector>[^\]]*)\]$")
PUBLIC_WORDS = re.compile(
    r"\b(council|nhs|police|fire|authority|university|college|school|academy|department|"
    r"agency|icb|integrated care|government|commissioner|probation|hospital)\b",
    re.IGNORECASE,
)
PRIVATE_WORDS = re.compile(r"\b(ltd|limited|plc|llp|llc|inc)\b\.?", re.IGNORECASE)


def guess_sector(name: str) -> str:
    """The likeliest sector of a new organisation named only by name.

    Councils, the NHS, police and colleges are public; companies are private; most others that a
    council partners are charities and voluntary groups.
    """
    if PUBLIC_WORDS.search(name):
        return Organisation.Sector.PUBLIC
    if PRIVATE_WORDS.search(name):
        return Organisation.Sector.PRIVATE
    return Organisation.Sector.VOLUNTARY


class PreviewDiff(resources.Diff):
    """The import preview's before-and-after, marked with <ins> and <del> and styled by the
    admin stylesheet: django-import-export's own diff uses inline styles, which the site's
    Content-Security-Policy blocks."""

    def as_html(self):
        matcher = diff_match_patch()
        tags = {matcher.DIFF_INSERT: "ins", matcher.DIFF_DELETE: "del", matcher.DIFF_EQUAL: "span"}
        cells = []
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            parts = matcher.diff_main(force_str(before), force_str(after))
            matcher.diff_cleanupSemantic(parts)
            cells.append(
                format_html_join(
                    "", "<{}>{}</{}>", ((tags[op], text, tags[op]) for op, text in parts)
                )
            )
        return cells


class RegisterResource(resources.ModelResource):
    """What every register import and export shares: plain column names, formula escaping,
    errors named by column, and the import recorded in the audit history."""

    def get_diff_class(self):
        return PreviewDiff

    def export(self, queryset=None, **kwargs):
        return escape_dataset(super().export(queryset, **kwargs))

    def import_data(self, dataset, *args, **kwargs):
        # A file with any invalid row writes nothing, however the import is started.
        kwargs.setdefault("rollback_on_validation_errors", True)
        user = kwargs.get("user")
        context = {"source": "import", "file": kwargs.get("file_name") or ""}
        if user is not None and user.is_authenticated:
            context.update(user=user.pk, username=user.get_username())
        with pghistory.context(**context):
            return super().import_data(dataset, *args, **kwargs)

    def column_for(self, key) -> str:
        """The column heading a person sees for an error keyed by model field name."""
        if key == NON_FIELD_ERRORS:
            return key
        for field in self.fields.values():
            if key in {field.attribute, field.column_name}:
                return field.column_name
        model_field = next((f for f in self._meta.model._meta.fields if f.name == key), None)
        return str(model_field.verbose_name).capitalize() if model_field else key

    # Fields the importer never fills, so full_clean must not complain about them.
    not_imported = ()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(
                    exclude=set(errors) | set(self.not_imported), validate_unique=validate_unique
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            by_column = {}
            for key, messages in errors.items():
                by_column.setdefault(self.column_for(key), []).extend(
                    ValidationError(messages).messages
                )
            raise ValidationError(by_column)


class OrganisationResource(RegisterResource):
    name = fields.Field("name", "Name of organisation", widget=TextWidget())
    sector = fields.Field("sector", "Sector", widget=ChoiceWidget(Organisation.Sector))
    registration_number = fields.Field(
        "registration_number", "Registration number", widget=TextWidget()
    )
    website = fields.Field("website", "Website", widget=TextWidget())
    is_active = fields.Field("is_active", "In use", widget=YesNoWidget(blank=True))

    class Meta:
        model = Organisation
        name = "Organisations"
        fields = ["name", "sector", "registration_number", "website", "is_active"]
        import_id_fields = ["name"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_instance(self, instance_loader, row):
        name = self.fields["name"].clean(row)
        if not name:
            return None
        return Organisation.objects.filter(name__iexact=name).first()


class PartnershipResource(RegisterResource):
    reference = fields.Field("reference", "Reference", widget=TextWidget())
    name = fields.Field("name", "Name of partnership", widget=TextWidget())
    purpose = fields.Field("purpose", "Purpose", widget=TextWidget())
    status = fields.Field(
        "status",
        "Status",
        widget=ChoiceWidget(Partnership.Status, blank=False),
        saves_null_values=False,
    )
    council_role = fields.Field(
        "council_role", "Role of the Council", widget=ChoiceWidget(Partnership.CouncilRole)
    )
    directorate = fields.Field("directorate", "Lead directorate", widget=DirectorateWidget())
    sponsoring_officer = fields.Field(
        "sponsoring_officer", "Sponsoring officer", widget=UserWidget()
    )
    monitoring_officer = fields.Field(
        "monitoring_officer", "Officer accountable for monitoring", widget=UserWidget()
    )
    lead_organisation = LeadOrganisationField(column_name="Lead organisation", widget=TextWidget())
    other_partners = OtherPartnersField(column_name="Other partners", widget=TextWidget())
    corporate_priorities = PrioritiesField(
        column_name="Corporate Plan priorities", widget=TextWidget()
    )
    start_date = fields.Field("start_date", "Start date", widget=UKDateWidget())
    end_date = fields.Field("end_date", "End date", widget=UKDateWidget())
    governing_document_type = fields.Field(
        "governing_document_type",
        "Governing document",
        widget=ChoiceWidget(Partnership.GoverningDocument),
    )
    material_service_delivery = fields.Field(
        "material_service_delivery", "Material service delivery", widget=YesNoWidget()
    )
    is_confidential = fields.Field("is_confidential", "Confidential", widget=YesNoWidget())
    next_review_due = fields.Field("next_review_due", "Next review due", widget=UKDateWidget())

    not_imported = ("reference", "version", "creation_token")

    class Meta:
        model = Partnership
        name = "Partnerships"
        fields = [
            "reference",
            "name",
            "purpose",
            "status",
            "council_role",
            "directorate",
            "sponsoring_officer",
            "monitoring_officer",
            "lead_organisation",
            "other_partners",
            "corporate_priorities",
            "start_date",
            "end_date",
            "governing_document_type",
            "material_service_delivery",
            "is_confidential",
            "next_review_due",
        ]
        import_order = export_order = fields
        import_id_fields = ["reference"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def filter_export(self, queryset, **kwargs):
        return (
            super()
            .filter_export(queryset, **kwargs)
            .select_related("directorate", "sponsoring_officer", "monitoring_officer")
            .prefetch_related("partners__organisation", "corporate_priorities")
        )

    def get_instance(self, instance_loader, row):
        reference = self.fields["reference"].clean(row)
        if not reference:
            return None
        return Partnership.objects.filter(reference__iexact=reference).first()

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        instance._import_status = instance.status
        if new:
            instance.author = kwargs.get("user")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        if instance._import_new and instance.reference:
            errors["reference"] = [
                f"No partnership has the reference “{instance.reference}”: leave Reference "
                "blank to add a new partnership, and it will be given one"
            ]
        if not instance._import_new and instance.status != instance._import_status:
            errors["status"] = [
                "A partnership's status changes only through submission, approval and review, "
                f"not by import: it is “{instance.get_status_display()}” now"
            ]
        if (
            not {"start_date", "end_date"} & set(errors)
            and instance.start_date
            and instance.end_date
            and instance.end_date < instance.start_date
        ):
            errors["end_date"] = ["The end date cannot be before the start date"]

        instance._import_relations_changed = False
        self._resolve_partners(instance, row, errors)
        self._resolve_priorities(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def _resolve_partners(self, instance, row, errors):
        """Work out the partners the row names, and any organisations it would add.

        Organisations are only created when the row is saved, inside the import's transaction,
        so a file that fails anywhere adds none.
        """
        lead_column = self.fields["lead_organisation"].column_name
        others_column = self.fields["other_partners"].column_name
        instance._import_partners = None
        if lead_column not in row and others_column not in row:
            return
        current = {}
        if instance.pk is not None:
            current = {
                name_key(p.organisation.name): p
                for p in instance.partners.select_related("organisation")
            }

        if lead_column in row:
            lead_names = split_list(row[lead_column])
            if len(lead_names) > 1:
                errors[lead_column] = ["Name only one lead organisation"]
                return
            lead = lead_names[0] if lead_names else ""
        else:
            lead = next((p.organisation.name for p in current.values() if p.is_lead), "")
        council_leads = name_key(lead) == name_key(settings.COUNCIL_NAME)
        if council_leads and instance.council_role != Partnership.CouncilRole.LEAD:
            errors[lead_column] = [
                f"{settings.COUNCIL_NAME} can lead only when the Role of the Council is "
                f"“{Partnership.CouncilRole.LEAD.label}”"
            ]
        if council_leads:
            lead = ""

        if others_column in row:
            others = split_list(row[others_column])
        else:
            others = [p.organisation.name for p in current.values() if not p.is_lead]

        wanted = []  # (organisation or unsaved Organisation, is_lead)
        for column, names, is_lead in (
            (lead_column, [lead] if lead else [], True),
            (others_column, others, False),
        ):
            for text in names:
                partner = current.get(name_key(text))
                if partner is not None:
                    organisation, problem = partner.organisation, None
                else:
                    organisation, problem = self._organisation_named(text)
                if problem:
                    errors.setdefault(column, []).append(problem)
                elif name_key(organisation.name) not in {name_key(o.name) for o, _ in wanted}:
                    wanted.append((organisation, is_lead))

        wanted_names = {name_key(o.name) for o, _ in wanted}
        dropped = sorted(p.organisation.name for k, p in current.items() if k not in wanted_names)
        if dropped:
            errors.setdefault(others_column, []).append(
                "Partners cannot be removed by import, so the record keeps its history: "
                f"add {', '.join(f'“{n}”' for n in dropped)} back to the file"
            )
        instance._import_partners = wanted
        if any(o.pk is None for o, _ in wanted) or any(
            current[name_key(o.name)].is_lead != is_lead
            for o, is_lead in wanted
            if name_key(o.name) in current
        ):
            instance._import_relations_changed = True

    def _organisation_named(self, text):
        """(organisation, None) for a name in the file, or (None, why not)."""
        match = SECTOR_SUFFIX.match(text)
        name, sector = (match["name"], match["sector"].strip()) if match else (text, "")
        existing = Organisation.objects.filter(name__iexact=name).first()
        if existing is not None:
            return existing, None
        if sector:
            try:
                sector = ChoiceWidget(Organisation.Sector, blank=False).clean(sector)
            except ValueError:
                labels = ", ".join(Organisation.Sector.labels)
                return None, f"“{text}”: the sector in square brackets must be one of {labels}"
        organisation = Organisation(name=name, sector=sector or guess_sector(name))
        try:
            organisation.full_clean()
        except ValidationError as error:
            return None, f"“{name}”: {' '.join(error.messages)}"
        return organisation, None

    def _resolve_priorities(self, instance, row, errors):
        column = self.fields["corporate_priorities"].column_name
        instance._import_priorities = None
        if column not in row:
            return
        names = split_list(row[column])
        found = {}
        if names:
            named = reduce(operator.or_, (Q(name__iexact=name) for name in names))
            found = {name_key(p.name): p for p in CorporatePriority.objects.filter(named)}
        unknown = [name for name in names if name_key(name) not in found]
        if unknown:
            errors[column] = [
                f"There is no Corporate Plan priority called “{name}”" for name in unknown
            ]
            return
        wanted = {priority.pk for priority in found.values()}
        current = set()
        if instance.pk is not None:
            current = set(instance.corporate_priorities.values_list("pk", flat=True))
        instance._import_priorities = wanted
        if wanted != current:
            instance._import_relations_changed = True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        return skip and not instance._import_relations_changed

    def do_instance_save(self, instance, is_create):
        if is_create:
            instance.save(force_insert=True)
            return
        try:
            save_with_version(instance, expected_version=instance.version)
        except ConflictError:
            raise ValidationError(
                f"Someone else changed {instance.reference} while the file was being imported. "
                "Nothing has been imported: import the file again."
            ) from None

    def after_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if instance._import_new:
            StatusChange.objects.create(
                partnership=instance,
                from_status="",
                to_status=instance.status,
                changed_by=user,
                reason="Added to the register by import.",
            )
            ChecklistAnswer.objects.bulk_create(
                ChecklistAnswer(partnership=instance, consideration=consideration)
                for consideration in ChecklistConsideration.objects.filter(is_active=True)
            )
        if instance._import_partners is not None:
            self._save_partners(instance)
        if instance._import_priorities is not None:
            instance.corporate_priorities.set(instance._import_priorities)

    def _save_partners(self, instance):
        current = {p.organisation_id: p for p in instance.partners.all()}
        wanted = []
        for organisation, is_lead in instance._import_partners:
            if organisation.pk is None:
                organisation.save()
            wanted.append((organisation, is_lead))
        # Stand the old lead down first: only one partner may lead at a time.
        for partner in current.values():
            if partner.is_lead and not any(
                o.pk == partner.organisation_id and lead for o, lead in wanted
            ):
                partner.is_lead = False
                partner.save(update_fields=["is_lead"])
        for organisation, is_lead in wanted:
            partner = current.get(organisation.pk)
            if partner is None:
                PartnershipPartner.objects.create(
                    partnership=instance, organisation=organisation, is_lead=is_lead
                )
            elif partner.is_lead != is_lead:
                partner.is_lead = is_lead
                partner.save(update_fields=["is_lead"])
