import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ModalFooter from '../ModalFooter.vue'

const buttons = (wrapper) => wrapper.findAll('button')

describe('ModalFooter', () => {
  it('annuler à gauche, autres actions au milieu, action principale à droite ; émet cancel / confirm', async () => {
    const wrapper = mount(ModalFooter, {
      props: { confirmLabel: 'Supprimer', tone: 'danger', confirmTestid: 'ok', cancelTestid: 'ko' },
      slots: { default: '<button type="button" class="extra">Autre</button>' },
    })
    expect(buttons(wrapper).map((b) => b.text())).toEqual(['Annuler', 'Autre', 'Supprimer'])
    expect(wrapper.find('[data-testid="ok"]').classes()).toEqual(expect.arrayContaining(['btn', 'btn--danger-solid']))
    expect(wrapper.find('[data-testid="ko"]').classes()).toContain('btn--ghost')
    await wrapper.find('[data-testid="ko"]').trigger('click')
    await wrapper.find('[data-testid="ok"]').trigger('click')
    expect(Object.keys(wrapper.emitted())).toEqual(expect.arrayContaining(['cancel', 'confirm']))
  })

  it('pendant busy : tout est désactivé et l’action affiche son libellé d’attente', () => {
    const wrapper = mount(ModalFooter, { props: { confirmLabel: 'Créer', busy: true, busyLabel: 'Enregistrement…' } })
    expect(buttons(wrapper).every((b) => b.attributes('disabled') !== undefined)).toBe(true)
    expect(buttons(wrapper)[1].text()).toBe('Enregistrement…')
    expect(buttons(wrapper)[1].classes()).toContain('btn--primary')
  })

  it('bouton d’envoi d’un formulaire, désactivable, classes propres sans ton ; sans libellé : annuler seul', () => {
    const wrapper = mount(ModalFooter, {
      props: { confirmLabel: 'OK', confirmType: 'submit', confirmForm: 'f', confirmDisabled: true, tone: 'none', confirmClass: 'maison' },
    })
    const confirm = buttons(wrapper)[1]
    expect([confirm.attributes('type'), confirm.attributes('form'), confirm.attributes('disabled')]).toEqual(['submit', 'f', ''])
    expect(confirm.classes()).toEqual(['btn', 'maison'])
    expect(buttons(wrapper)[0].attributes('disabled')).toBeUndefined()

    const single = mount(ModalFooter, { props: { cancelLabel: 'Fermer' } })
    expect(buttons(single).map((b) => b.text())).toEqual(['Fermer'])
  })
})
