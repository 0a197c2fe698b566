import django_filters
from django import forms

from partnerships_site.forms import FilterForm
from register.models import Directorate
from register.rules import sees_everything


class ReviewDueFilter(django_filters.FilterSet):
    """Reviews due: the signed-in sponsoring officer's partnerships, or the whole council's."""

    MINE = "mine"
    ALL = "all"

    scope = django_filters.ChoiceFilter(
        label="Show",
        choices=[(MINE, "Partnerships I sponsor"), (ALL, "All partnerships")],
        method="filter_scope",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    directorate = django_filters.ModelChoiceFilter(
        label="Lead directorate",
        queryset=Directorate.objects.order_by("name"),
        empty_label="All directorates",
    )

    class Meta:
        form = FilterForm
        fields = ["scope", "directorate"]

    @classmethod
    def default_scope(cls, user):
        """Democratic Services and Read-only users see the council's; others, their own."""
        return cls.ALL if sees_everything(user) else cls.MINE

    def filter_scope(self, queryset, name, value):
        if value == self.MINE:
            return queryset.filter(sponsoring_officer=self.request.user)
        return queryset
