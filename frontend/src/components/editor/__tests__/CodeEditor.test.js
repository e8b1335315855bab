import { diagnosticCount, forEachDiagnostic } from '@codemirror/lint'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import CodeEditor from '../CodeEditor.vue'

const CODE = 'class A(Strategy):\n    def should_long(self) ->:\n        return True\n'

function mountEditor(props = {}) {
  return mount(CodeEditor, { props: { modelValue: CODE, ...props }, attachTo: document.body })
}

describe('CodeEditor', () => {
  it('affiche le code reçu par v-model et renvoie les frappes', async () => {
    const wrapper = mountEditor()
    const view = wrapper.vm.view
    expect(view.state.doc.toString()).toBe(CODE)
    view.dispatch({ changes: { from: 0, insert: '# test\n' } })
    expect(wrapper.emitted('update:modelValue').at(-1)).toEqual(['# test\n' + CODE])
    wrapper.unmount()
  })

  it('pose un diagnostic sur la ligne du marqueur', async () => {
    const wrapper = mountEditor({ markers: [{ line: 2, message: 'Erreur de syntaxe ligne 2 : invalid syntax' }] })
    const { state } = wrapper.vm.view
    expect(diagnosticCount(state)).toBe(1)
    forEachDiagnostic(state, (diagnostic, from) => {
      expect(state.doc.lineAt(from).number).toBe(2)
      expect(diagnostic.message).toBe('Erreur de syntaxe ligne 2 : invalid syntax')
    })
    await wrapper.setProps({ markers: [] })
    expect(diagnosticCount(wrapper.vm.view.state)).toBe(0)
    wrapper.unmount()
  })

  it('remplace le document changé par le parent en gardant l’annulation possible', async () => {
    const wrapper = mountEditor()
    await wrapper.setProps({ modelValue: 'x = 1\n' })
    expect(wrapper.vm.view.state.doc.toString()).toBe('x = 1\n')
    await wrapper.setProps({ docKey: 2, modelValue: 'y = 2\n' })
    await nextTick()
    expect(wrapper.vm.view.state.doc.toString()).toBe('y = 2\n')
    wrapper.unmount()
  })

  it('place le curseur sur une ligne demandée', () => {
    const wrapper = mountEditor()
    wrapper.vm.focusLine(3)
    const { state } = wrapper.vm.view
    expect(state.doc.lineAt(state.selection.main.head).number).toBe(3)
    wrapper.unmount()
  })
})
