"""Django admin's autocomplete widget, made safe to redraw a form posted with a malformed id.

Django's AutocompleteSelect looks the posted value up in the database to draw the chosen option;
a value that is not an id ("abc" for a user) made that lookup raise, so a form with an error
answered 500 instead of showing the error. The safe widget leaves such a value out, and the form
says "Select a valid choice" beside the field as usual.
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


def _ids_only(widget, value):
    to_field = getattr(widget.field.remote_field, "field_name", None)
    target = widget.field.remote_field.model._meta.get_field(
        to_field or widget.field.remote_field.model._meta.pk.name
    )
    usable = []
    for one in value:
        try:
            target.to_python(one)
        except ValidationError:
            continue
        usable.append(one)
    return usable


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _ids_only(self, value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _ids_only(self, value), attr)


class SafeAutocompleteMixin:
    """For a ModelAdmin or inline: its autocomplete fields use the safe widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
