// Progressive enhancement only: every page works without it.
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Copy buttons beside read-only addresses (calendar feeds).
for (const button of document.querySelectorAll('[data-copy]')) {
  button.hidden = false
  button.addEventListener('click', async () => {
    const input = document.getElementById(button.dataset.copy)
    try {
      await navigator.clipboard.writeText(input.value)
      button.textContent = 'Copied'
    } catch {
      input.select()
    }
  })
}
