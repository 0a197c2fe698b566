// "Add another" without a round trip to the server. Without JavaScript the button posts the
// form and the server shows the page again with one more blank row; with it, the last row is
// copied here, emptied and renumbered, and the keyboard focus moves into it.

import { initAutocomplete, unenhance } from './autocomplete.js'

function renumber (element, prefix, from, to) {
  const old = `${prefix}-${from}-`
  const fresh = `${prefix}-${to}-`
  for (const attribute of ['id', 'name', 'for', 'aria-describedby', 'aria-controls']) {
    const value = element.getAttribute(attribute)
    if (value && value.includes(old)) {
      element.setAttribute(attribute, value.split(old).join(fresh))
    }
  }
}

function empty (row) {
  row.querySelectorAll('.govuk-error-message').forEach((message) => message.remove())
  row.querySelectorAll('.govuk-form-group--error').forEach((group) => {
    group.classList.remove('govuk-form-group--error')
  })
  row.querySelectorAll('.govuk-input--error, .govuk-select--error, .govuk-textarea--error').forEach((field) => {
    field.classList.remove('govuk-input--error', 'govuk-select--error', 'govuk-textarea--error')
  })
  row.querySelectorAll('input, select, textarea').forEach((field) => {
    if (field.name && field.name.endsWith('-DELETE')) {
      const group = field.closest('.govuk-form-group') || field.closest('.govuk-checkboxes__item')
      if (group) group.remove()
      return
    }
    if (field.type === 'checkbox' || field.type === 'radio') {
      field.checked = false
    } else if (field.tagName === 'SELECT') {
      field.selectedIndex = 0
    } else if (field.type !== 'submit' && field.type !== 'button') {
      field.value = ''
    }
  })
}

function addRow (button) {
  const prefix = button.value
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`)
  const maximum = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`)
  const rows = document.querySelectorAll(`fieldset[id^="${prefix}-"][id$="-row"]`)
  if (!total || rows.length === 0) return false
  const count = parseInt(total.value, 10)
  if (maximum && count >= parseInt(maximum.value, 10)) return false

  const last = rows[rows.length - 1]
  const from = last.id.slice(prefix.length + 1, -'-row'.length)
  const row = last.cloneNode(true)
  unenhance(row) // the copy's autocompletes are lifeless: its drop-downs are enhanced afresh
  row.id = `${prefix}-${count}-row`
  row.querySelectorAll('*').forEach((element) => renumber(element, prefix, from, count))
  empty(row)
  const legend = row.querySelector('legend')
  if (legend) legend.textContent = legend.textContent.replace(/\d+\s*$/, String(count + 1))

  const rule = document.createElement('hr')
  rule.className = 'govuk-section-break govuk-section-break--m govuk-section-break--visible'
  button.before(row, rule)
  total.value = String(count + 1)
  initAutocomplete(row)
  const first = row.querySelector('input:not([type=hidden]), select, textarea')
  if (first) first.focus()
  return true
}

export function initAddAnother () {
  document.querySelectorAll('button[name="add"][value]').forEach((button) => {
    button.addEventListener('click', (event) => {
      if (addRow(button)) event.preventDefault()
    })
  })
}
