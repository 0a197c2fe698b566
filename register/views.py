from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from register.models import Partnership


class PartnershipPermissionMixin:
    """Fetch the partnership named in the URL and check the user's permission on it.

    The one place object permissions are enforced for partnership pages: a record the user may
    not read is a 404 (its existence is not revealed); one they may read but not act on is a 403.
    """

    permission_required = "register.view_partnership"
    partnership_queryset = Partnership.objects.with_significance().with_related()

    def get_partnership(self):
        if not hasattr(self, "_partnership"):
            partnership = get_object_or_404(
                self.partnership_queryset, reference=self.kwargs["reference"]
            )
            user = self.request.user
            if not user.has_perm("register.view_partnership", partnership):
                raise Http404("No partnership matches the given query.")
            if not user.has_perm(self.permission_required, partnership):
                raise PermissionDenied
            self._partnership = partnership
        return self._partnership

    def get_object(self, queryset=None):
        return self.get_partnership()


class PartnershipDetailView(PartnershipPermissionMixin, DetailView):
    template_name = "register/partnership_detail.html"
    context_object_name = "partnership"
