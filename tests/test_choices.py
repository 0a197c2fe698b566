"""Choice labels looked up once per field (partnerships_site.choices.ChoiceLabelsMixin)."""

import pghistory.models
from django.apps import apps
from django.db import models

from partnerships_site.choices import ChoiceLabelsMixin


def choice_fields():
    for app in ("register", "risks", "reviews"):
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, pghistory.models.Event):  # the audit trail's own tables
                continue
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_every_model_with_choices_uses_the_quick_labels():
    models_with_choices = {model for model, _ in choice_fields()}

    assert len(models_with_choices) >= 15
    assert all(issubclass(model, ChoiceLabelsMixin) for model in models_with_choices)


def test_every_label_is_djangos():
    checked = 0
    for model, field in choice_fields():
        record = model()
        values = [value for value, _ in field.flatchoices] + ["not-a-choice", "", None]
        for value in values:
            setattr(record, field.attname, value)
            display = getattr(record, f"get_{field.name}_display")()
            assert display == models.Model._get_FIELD_display(record, field), (field, value)
            checked += 1
    assert checked > 100
