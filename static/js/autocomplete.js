// Long drop-downs of people (a risk's owner, an action's owner: any officer of the council) become
// GOV.UK's accessible autocomplete: type part of a name or job title and pick from the matches.
// The drop-down stays in the page, hidden, and is what the form sends, so the server checks the
// choice as before. Without JavaScript, or without the autocomplete script, it stays as it is.

const SELECTOR = 'select[data-module="app-autocomplete"]'

function optionFor (select, label) {
  return Array.from(select.options).find((option) => option.value && option.text === label)
}

// The field's hint and error message, which the drop-down named in aria-describedby, are kept
// on the text box too: the autocomplete writes its own description there as the user types.
function keepDescription (input, ids) {
  if (!ids) return
  const describe = () => {
    const own = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    const wanted = [...new Set([...ids.split(' '), ...own])].join(' ')
    if (input.getAttribute('aria-describedby') !== wanted) {
      input.setAttribute('aria-describedby', wanted)
    }
  }
  describe()
  new MutationObserver(describe).observe(input, { attributeFilter: ['aria-describedby'] })
}

export function enhance (select) {
  const autocomplete = window.accessibleAutocomplete
  if (!autocomplete || select.style.display === 'none') return
  const id = select.id
  const describedBy = select.getAttribute('aria-describedby')
  const hasError = ['govuk-select--error', 'govuk-input--error'].some((name) => select.classList.contains(name))
  autocomplete.enhanceSelectElement({
    selectElement: select,
    // Nothing chosen yet shows an empty box, not the "Select a person" prompt.
    defaultValue: '',
    showAllValues: true,
    inputClasses: hasError ? 'govuk-input--error' : null,
    tNoResults: () => 'No one matches',
    // A name typed in full and left counts; anything else leaves no one chosen, so the server
    // asks for a choice rather than keeping an earlier one the box no longer shows.
    onConfirm: (label) => {
      const input = document.getElementById(id)
      const option = optionFor(select, label ?? (input ? input.value : ''))
      select.value = option ? option.value : ''
    }
  })
  const input = document.getElementById(id)
  if (input) keepDescription(input, describedBy)
}

// Undo enhance() in a copy of a row (see add-another.js), leaving the plain drop-down to enhance.
export function unenhance (row) {
  row.querySelectorAll('.autocomplete__wrapper').forEach((wrapper) => wrapper.parentElement.remove())
  row.querySelectorAll(SELECTOR).forEach((select) => {
    select.style.display = ''
    select.id = select.id.replace(/-select$/, '')
  })
}

export function initAutocomplete (root = document) {
  root.querySelectorAll(SELECTOR).forEach(enhance)
}
