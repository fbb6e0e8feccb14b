/*
 * Type-ahead pupil and staff pickers (issue 13 item 5), built on GOV.UK's accessible-autocomplete.
 *
 * Enhances, by data attribute, the controls the server renders. The plain <select> or checkbox
 * list stays in the form and is what is submitted: this script only sets it, so every form works
 * the same without JavaScript, and the control's own options (already scoped to the school and
 * what the person may pick) stay the authority: a lookup result the control does not offer is
 * never shown.
 *
 *   data-picker="pupil" on a <select>            one pupil, found by GET /pupils/lookup
 *   data-picker="pupil" on a <select multiple>   several pupils: a list of those chosen, each
 *     or a checkbox list (<ul>)                  with a Remove button, and whole registration
 *                                                groups ("Whole group 7B (28 pupils)")
 *   data-picker="staff" on either                staff, found among the control's own options
 *   data-picker-left="1"                         the lookup also finds pupils who have left
 *
 * docs/everyday-logging.md ("Adding the picker to a form") says how a form opts in.
 */
;(function () {
  'use strict'

  var script = document.currentScript
  var LOOKUP_URL = script && script.getAttribute('data-lookup-url')
  var MIN_LOOKUP = 2
  var DEBOUNCE_MS = 120

  function escapeHtml (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]
    })
  }

  function make (tag, attributes, text) {
    var element = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name])
    })
    if (text) element.textContent = text
    return element
  }

  // --- the control underneath: a <select> or a list of checkboxes -------------------------------

  function controlOf (element) {
    if (element.tagName === 'SELECT') {
      var entries = [].filter.call(element.options, function (option) { return option.value })
      return {
        multiple: element.multiple,
        entries: entries.map(function (option) {
          return { id: option.value, label: option.textContent.trim(), node: option }
        }),
        isChosen: function (entry) { return entry.node.selected },
        choose: function (entry, on) { entry.node.selected = on },
        clear: function () { element.value = '' }
      }
    }
    var boxes = element.querySelectorAll('input[type=checkbox]')
    return {
      multiple: true,
      entries: [].map.call(boxes, function (box) {
        var label = element.querySelector('label[for="' + box.id + '"]')
        return { id: box.value, label: (label ? label.textContent : box.value).trim(), node: box }
      }),
      isChosen: function (entry) { return entry.node.checked },
      choose: function (entry, on) { entry.node.checked = on },
      clear: function () {}
    }
  }

  function byId (control) {
    var map = {}
    control.entries.forEach(function (entry) { map[entry.id] = entry })
    return map
  }

  // --- where suggestions come from --------------------------------------------------------------

  // Every word typed begins some word of the label, as the server's lookup matches names.
  function localSource (control) {
    return function (query, populate) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean)
      populate(control.entries.filter(function (entry) {
        if (control.multiple && control.isChosen(entry)) return false // already in the list
        var label = entry.label.toLowerCase()
        return words.every(function (word) {
          return label.indexOf(word) === 0 || label.indexOf(' ' + word) !== -1 ||
            label.indexOf('-' + word) !== -1 || label.indexOf('(' + word) !== -1
        })
      }))
    }
  }

  // Whether a lookup is on its way, so the menu says "Searching" rather than "No pupils found".
  var searching = false

  function lookupSource (control, options) {
    var entries = byId(control)
    var timer = null
    var latest = 0
    return function (query, populate) {
      clearTimeout(timer)
      if (query.trim().length < MIN_LOOKUP) { populate([]); return }
      var asked = ++latest
      searching = true
      timer = setTimeout(function () {
        var params = new URLSearchParams({ q: query })
        if (options.groups) params.set('groups', '1')
        if (options.includeLeft) params.set('include_left', '1')
        fetch(LOOKUP_URL + '?' + params.toString(), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' }
        })
          .then(function (response) { return response.ok ? response.json() : [] })
          .catch(function () { return [] })
          .then(function (results) {
            if (asked !== latest) return
            searching = false
            populate(offered(results, entries, control))
          })
      }, DEBOUNCE_MS)
    }
  }

  // Only what the control offers and is not chosen yet; a group keeps just those pupils.
  function offered (results, entries, control) {
    var open = function (id) {
      var entry = entries[String(id)]
      return entry && !(control.multiple && control.isChosen(entry))
    }
    return results.map(function (result) {
      if (result.group === undefined) {
        return open(result.id) ? { id: String(result.id), label: result.label } : null
      }
      var pupils = result.pupils.filter(function (pupil) { return open(pupil.id) })
      if (!pupils.length) return null
      var count = pupils.length + (pupils.length === 1 ? ' pupil' : ' pupils')
      return { group: result.group, label: 'Whole group ' + result.group + ' (' + count + ')', pupils: pupils }
    }).filter(Boolean)
  }

  // --- building the autocomplete ----------------------------------------------------------------

  // Renders the autocomplete into `container`; its input gets `id`, so a <label for=id> names it.
  function mount (container, id, settings, field) {
    window.accessibleAutocomplete(Object.assign({
      element: container,
      id: id,
      name: '', // never submitted: the control underneath is
      displayMenu: 'overlay',
      templates: settings.templates,
      tNoResults: function () { return searching ? 'Searching…' : settings.noResults }
    }, settings.options))
    var input = document.getElementById(id)
    if (field.hasAttribute('autofocus')) input.focus() // the page meant the field to have focus
    // The field's help text and errors stay tied to what is now the thing to type into.
    var described = [input.getAttribute('aria-describedby'), field.getAttribute('aria-describedby')]
      .concat(settings.describedBy || []).filter(Boolean)
    if (described.length) input.setAttribute('aria-describedby', described.join(' '))
    if (field.getAttribute('aria-invalid')) input.setAttribute('aria-invalid', 'true')
    return input
  }

  // A <select> hides behind the autocomplete and hands it its id (and so its label).
  function replaceSelect (select, container) {
    var id = select.id
    // The plain select's "Hold Ctrl" line does not apply to the picker (interventions/_fields.html).
    var several = document.getElementById(id + '-several')
    if (several && several.hasAttribute('data-select-several-hint')) {
      several.remove()
      var rest = (select.getAttribute('aria-describedby') || '').split(' ')
        .filter(function (ref) { return ref && ref !== several.id })
      if (rest.length) select.setAttribute('aria-describedby', rest.join(' '))
      else select.removeAttribute('aria-describedby')
    }
    select.parentNode.insertBefore(container, select)
    select.hidden = true
    select.id = id + '-options'
    return id
  }

  function sourceFor (element, control, kind) {
    if (kind === 'staff') return localSource(control)
    return lookupSource(control, {
      groups: control.multiple,
      includeLeft: element.getAttribute('data-picker-left') === '1'
    })
  }

  function wording (kind) {
    return kind === 'pupil'
      ? {
          noResults: 'No pupils found',
          find: 'Find a pupil to add',
          hint: 'Type 2 or more letters of a name, a UPN or a registration group, then choose with the arrow keys and Enter.'
        }
      : {
          noResults: 'No staff found',
          find: 'Find a member of staff to add',
          hint: 'Type part of a name, or press the down arrow to see everyone, then choose with Enter.'
        }
  }

  function suggestion (entry) { return entry ? escapeHtml(entry.label) : '' }

  function enhanceSingle (select, control, kind) {
    var selected = control.entries.filter(control.isChosen)[0]
    var chosenLabel = selected ? selected.label : ''
    var container = make('div', { class: 'picker picker--single' })
    var id = replaceSelect(select, container)
    var hint = null
    if (kind === 'pupil') { // staff lists are short; finding a pupil by UPN or group needs saying
      hint = make('div', { class: 'form-text', id: id + '-picker-hint' }, wording(kind).hint)
      select.parentNode.insertBefore(hint, select)
    }
    var input = mount(container, id, {
      noResults: wording(kind).noResults,
      describedBy: hint ? [hint.id] : [],
      templates: {
        inputValue: function (entry) { return entry ? entry.label : '' },
        suggestion: suggestion
      },
      options: {
        source: sourceFor(select, control, kind),
        defaultValue: chosenLabel,
        minLength: kind === 'pupil' ? MIN_LOOKUP : 0,
        showAllValues: kind === 'staff',
        onConfirm: function (entry) {
          if (entry) {
            byId(control)[entry.id].node.selected = true
            chosenLabel = entry.label
            return
          }
          // Left without choosing: keep the choice only while the text still names it, so
          // text naming no one never quietly submits the pupil chosen before.
          setTimeout(function () {
            if (input.value.trim() !== chosenLabel) {
              control.clear()
              chosenLabel = ''
            }
          }, 0)
        }
      }
    }, select)
  }

  // A checkbox list keeps its legend, help and errors; only the boxes hide.
  function hideBoxes (element) {
    var wrappers = []
    element.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      var node = box
      while (node.parentNode !== element) node = node.parentNode
      if (wrappers.indexOf(node) === -1) wrappers.push(node)
    })
    wrappers.forEach(function (node) { node.hidden = true })
    return wrappers[0]
  }

  function enhanceMultiple (element, control, kind) {
    var words = wording(kind)
    var entries = byId(control)
    var box = make('div', { class: 'picker picker--multiple' })
    var container = make('div')
    var id
    if (element.tagName === 'SELECT') {
      id = replaceSelect(element, box)
    } else {
      id = element.id + '-find'
      element.insertBefore(box, hideBoxes(element) || null)
      box.appendChild(make('label', { class: 'form-label', for: id }, words.find))
    }
    box.appendChild(container)
    var hint = make('div', { class: 'form-text', id: id + '-picker-hint' }, words.hint)
    var heading = make('p', { class: 'picker__heading', id: id + '-chosen-heading' })
    var list = make('ul', { class: 'picker__chosen list-unstyled', 'aria-labelledby': heading.id })
    var status = make('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' })
    ;[hint, heading, list, status].forEach(function (node) { box.appendChild(node) })
    var input

    function render (focusAfter) {
      var chosen = control.entries.filter(control.isChosen)
      heading.textContent = chosen.length ? 'Chosen (' + chosen.length + ')' : 'None chosen yet'
      list.textContent = ''
      chosen.forEach(function (entry, index) {
        var item = make('li', { class: 'picker__item' })
        var name = entry.picked || entry.label // as it was offered, if picked here
        item.appendChild(make('span', { class: 'picker__name' }, name))
        var remove = make('button', { type: 'button', class: 'btn btn-outline-secondary btn-sm' }, 'Remove')
        remove.appendChild(make('span', { class: 'visually-hidden' }, ' ' + name))
        remove.addEventListener('click', function () {
          control.choose(entry, false)
          status.textContent = 'Removed ' + name + '.'
          render(index)
        })
        item.appendChild(remove)
        list.appendChild(item)
      })
      if (focusAfter !== undefined) { // after a removal: the next Remove button, or the input
        var buttons = list.querySelectorAll('button')
        ;(buttons[Math.min(focusAfter, buttons.length - 1)] || input).focus()
      }
    }

    // Picked suggestions ({id, label}) onto the control; how many were not chosen already.
    function add (picked) {
      var fresh = picked.filter(function (found) {
        return entries[found.id] && !control.isChosen(entries[found.id])
      })
      fresh.forEach(function (found) {
        entries[found.id].picked = found.label
        control.choose(entries[found.id], true)
      })
      return fresh.length
    }

    input = mount(container, id, {
      noResults: words.noResults,
      describedBy: [hint.id],
      templates: {
        inputValue: function () { return '' }, // emptied, ready for the next name
        suggestion: suggestion
      },
      options: {
        source: sourceFor(element, control, kind),
        minLength: kind === 'pupil' ? MIN_LOOKUP : 0,
        showAllValues: kind === 'staff',
        confirmOnBlur: false,
        onConfirm: function (picked) {
          if (!picked) return
          if (picked.group !== undefined) {
            var added = add(picked.pupils.map(function (pupil) {
              return { id: String(pupil.id), label: pupil.label }
            }))
            status.textContent = 'Added ' + added + (added === 1 ? ' pupil' : ' pupils') +
              ' from ' + picked.group + '.'
          } else {
            add([picked])
            status.textContent = 'Added ' + picked.label + '.'
          }
          render()
        }
      }
    }, element)
    render()
  }

  function enhance (element) {
    var kind = element.getAttribute('data-picker')
    if (kind !== 'pupil' && kind !== 'staff') return
    if (kind === 'pupil' && !LOOKUP_URL) return
    var control = controlOf(element)
    if (control.multiple) enhanceMultiple(element, control, kind)
    else enhanceSingle(element, control, kind)
    element.setAttribute('data-picker-ready', '1')
  }

  // Without the component (its file not built), the plain controls are left as they are.
  if (typeof window.accessibleAutocomplete !== 'function' || !window.fetch) return
  // WTForms copies render_kw onto each checkbox of a list too; the list is what is enhanced.
  document.querySelectorAll('[data-picker]:not(input)').forEach(enhance)
})()
