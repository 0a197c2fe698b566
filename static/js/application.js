// Starts every GOV.UK Frontend component on the page, and the app's own small enhancements.
// A static module needs no CSP nonce; GOV.UK Frontend only initialises when the inline script
// in base.html has added the govuk-frontend-supported class to <body>.
import { initAll } from './govuk-frontend.min.js'
import { initAddAnother } from './add-another.js'
import { initAutocomplete } from './autocomplete.js'

initAll()
initAutocomplete()
initAddAnother()
