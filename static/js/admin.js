// Django admin, as the Partnerships Register uses it (loaded by templates/admin/base_site.html).
//
// Admin's autocomplete boxes (Select2) name their combobox only by the option chosen, so an empty
// one has no accessible name. This adds the field's own label to the name, for the boxes on the
// page now and for any added later (a new inline row).
'use strict';
{
  function labelAutocompletes() {
    document.querySelectorAll('select.admin-autocomplete').forEach((select) => {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const container = select.nextElementSibling;
      const combobox = container && container.querySelector('.select2-selection[role="combobox"]');
      if (!label || !combobox || combobox.dataset.appLabelled) {
        return;
      }
      label.id = label.id || `${select.id}_label`;
      const chosen = combobox.querySelector('.select2-selection__rendered');
      if (chosen) {
        // The box showing the option chosen is a read-only textbox: it needs a name too.
        chosen.setAttribute('aria-labelledby', label.id);
      }
      const named = combobox.getAttribute('aria-labelledby');
      combobox.setAttribute('aria-labelledby', named ? `${label.id} ${named}` : label.id);
      combobox.dataset.appLabelled = 'true';
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    labelAutocompletes();
    new MutationObserver(labelAutocompletes).observe(document.body, { childList: true, subtree: true });
  });
}
