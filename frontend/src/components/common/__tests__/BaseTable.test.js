import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import BaseTable from '../BaseTable.vue'

const columns = [
  { key: 'name', label: 'Nom', align: 'left', defaultDirection: 'asc' },
  { key: 'pnl', label: 'P&L', align: 'right', sortTestid: 'sort-pnl' },
  { key: 'note', label: 'Note', sortable: false },
]
const rows = [
  { id: 1, name: 'RSI', pnl: '-0.6', note: 'a' },
  { id: 2, name: 'MACD', pnl: '15', note: 'b' },
  { id: 3, name: 'ema', pnl: '2.41', note: null },
]

const cellTexts = (wrapper, index) => wrapper.findAll('tbody tr').map((tr) => tr.findAll('td')[index].text())
const headers = (wrapper) => wrapper.findAll('th')

describe('BaseTable', () => {
  it('rend les colonnes, les lignes et leurs attributs (data-testid conservés)', () => {
    const wrapper = mount(BaseTable, {
      props: {
        columns,
        rows,
        rowKey: 'id',
        rowAttrs: (row) => ({ 'data-testid': `row-${row.id}`, 'data-status': row.name }),
        rowClass: (row) => ({ 'is-current': row.id === 2 }),
      },
      attrs: { 'data-testid': 'ma-table' },
    })
    expect(wrapper.attributes('data-testid')).toBe('ma-table')
    expect(headers(wrapper).map((th) => th.text())).toEqual(['Nom', 'P&L', 'Note'])
    expect(wrapper.find('[data-testid="row-2"]').attributes('data-status')).toBe('MACD')
    expect(wrapper.find('[data-testid="row-2"]').classes()).toContain('is-current')
    expect(cellTexts(wrapper, 2)).toEqual(['a', 'b', ''])
    expect(wrapper.findAll('tbody td')[1].classes()).toContain('base-table__cell--right')
    // Sans tri demandé : aucun bouton ni aria-sort.
    expect(wrapper.find('.base-table__sort').exists()).toBe(false)
    expect(headers(wrapper)[0].attributes('aria-sort')).toBeUndefined()
  })

  it('trie par clic sur l’en-tête (nombres en texte, sens par défaut puis inversé) avec aria-sort', async () => {
    const wrapper = mount(BaseTable, { props: { columns, rows, rowKey: 'id', sortable: true } })
    expect(cellTexts(wrapper, 0)).toEqual(['RSI', 'MACD', 'ema']) // ordre reçu
    expect(headers(wrapper).map((th) => th.attributes('aria-sort'))).toEqual(['none', 'none', undefined])
    expect(headers(wrapper)[2].find('button').exists()).toBe(false) // colonne exclue du tri

    await wrapper.find('[data-testid="sort-pnl"]').trigger('click')
    expect(cellTexts(wrapper, 1)).toEqual(['15', '2.41', '-0.6']) // décroissant d'abord
    expect(headers(wrapper)[1].attributes('aria-sort')).toBe('descending')
    expect(headers(wrapper)[1].text()).toContain('▼')
    expect(wrapper.emitted('update:sort').at(-1)).toEqual([{ key: 'pnl', direction: 'desc' }])

    await wrapper.find('[data-testid="sort-pnl"]').trigger('click')
    expect(cellTexts(wrapper, 1)).toEqual(['-0.6', '2.41', '15'])
    expect(headers(wrapper)[1].attributes('aria-sort')).toBe('ascending')

    await wrapper.find('[data-sort="name"]').trigger('click')
    expect(cellTexts(wrapper, 0)).toEqual(['ema', 'MACD', 'RSI']) // sans casse, croissant par défaut
    expect(headers(wrapper)[1].attributes('aria-sort')).toBe('none')
  })

  it('suit un tri piloté par le parent (v-model:sort)', async () => {
    const wrapper = mount(BaseTable, { props: { columns, rows, rowKey: 'id', sortable: true, sort: { key: 'pnl', direction: 'asc' } } })
    expect(cellTexts(wrapper, 1)).toEqual(['-0.6', '2.41', '15'])
    await wrapper.setProps({ sort: null })
    expect(cellTexts(wrapper, 1)).toEqual(['-0.6', '15', '2.41'])
  })

  it('découpe en pages côté client et revient à la page 1 après un tri', async () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `n${i + 1}`, pnl: i + 1 }))
    const wrapper = mount(BaseTable, { props: { columns, rows: many, rowKey: 'id', sortable: true, pageSize: 3, pagerTestid: 'p' } })
    expect(cellTexts(wrapper, 0)).toEqual(['n1', 'n2', 'n3'])
    expect(wrapper.find('.base-table__pager').text()).toContain('Page 1 / 3')
    expect(wrapper.find('[data-testid="p-prev"]').attributes('disabled')).toBeDefined()

    await wrapper.find('[data-testid="p-next"]').trigger('click')
    await wrapper.find('[data-testid="p-next"]').trigger('click')
    expect(cellTexts(wrapper, 0)).toEqual(['n7'])
    expect(wrapper.find('[data-testid="p-next"]').attributes('disabled')).toBeDefined()

    await wrapper.find('[data-sort="pnl"]').trigger('click')
    expect(cellTexts(wrapper, 0)).toEqual(['n7', 'n6', 'n5'])
    expect(wrapper.find('.base-table__pager').text()).toContain('Page 1 / 3')
  })

  it('accepte les pages du serveur : n’affiche que les lignes reçues et émet la page demandée', async () => {
    const wrapper = mount(BaseTable, {
      props: { columns, rows, rowKey: 'id', pageCount: 4, page: 2, prevLabel: 'Avant', nextLabel: 'Après', pagerLabel: 'Pages du journal' },
      slots: { 'page-info': ({ page, pages }) => `p. ${page} sur ${pages}` },
    })
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)
    const pager = wrapper.find('nav')
    expect(pager.attributes('aria-label')).toBe('Pages du journal')
    expect(pager.text()).toContain('p. 2 sur 4')
    await pager.findAll('button')[1].trigger('click')
    expect(wrapper.emitted('update:page')).toEqual([[3]])
    await wrapper.setProps({ pagerDisabled: true })
    expect(pager.findAll('button').every((b) => b.attributes('disabled') !== undefined)).toBe(true)
  })

  it('montre l’état vide : message, slot, ou sous l’en-tête ; sans message, l’en-tête seul', async () => {
    const wrapper = mount(BaseTable, { props: { columns, rows: [], rowKey: 'id', emptyText: 'Rien ici.' } })
    expect(wrapper.find('table').exists()).toBe(false)
    expect(wrapper.find('.base-table__empty').text()).toBe('Rien ici.')

    await wrapper.setProps({ headerWhenEmpty: true })
    expect(wrapper.find('thead').exists()).toBe(true)
    expect(wrapper.find('.base-table__empty').text()).toBe('Rien ici.')

    const slotted = mount(BaseTable, {
      props: { columns, rows: [], rowKey: 'id' },
      slots: { empty: '<p data-testid="vide">Aucune ligne</p>' },
    })
    expect(slotted.find('[data-testid="vide"]').text()).toBe('Aucune ligne')
    expect(slotted.find('table').exists()).toBe(false)

    // Slot `empty` apparu plus tard (parent en `<template v-if="loaded" #empty>`).
    const Parent = defineComponent({
      components: { BaseTable },
      props: { loaded: Boolean },
      template: `<BaseTable :columns="[]" :rows="[]" row-key="id" header-when-empty>
        <template v-if="loaded" #empty><p class="late">Vide</p></template>
      </BaseTable>`,
    })
    const late = mount(Parent, { props: { loaded: false } })
    expect(late.find('.late').exists()).toBe(false)
    await late.setProps({ loaded: true })
    expect(late.find('.late').text()).toBe('Vide')

    const bare = mount(BaseTable, { props: { columns, rows: [], rowKey: 'id' } })
    expect(bare.find('thead').exists()).toBe(true)
    expect(bare.find('tbody tr').exists()).toBe(false)
  })

  it('rend les cellules, en-têtes, lignes entières et lignes ajoutées par les slots', () => {
    const wrapper = mount(BaseTable, {
      props: { columns: [...columns, { key: 'actions', label: 'Actions', hiddenLabel: true }], rows, rowKey: 'id' },
      slots: {
        'cell-pnl': ({ value, row }) => h('strong', { 'data-testid': `pnl-${row.id}` }, `${value} $`),
        'header-name': ({ column }) => h('em', column.label.toUpperCase()),
        'after-row': ({ row }) => (row.note ? [] : [h('tr', { class: 'detail' }, [h('td', { colspan: 4 }, 'sans note')])]),
      },
    })
    expect(wrapper.find('[data-testid="pnl-2"]').text()).toBe('15 $')
    expect(headers(wrapper)[0].find('em').text()).toBe('NOM')
    expect(headers(wrapper)[3].find('.visually-hidden').text()).toBe('Actions')
    expect(wrapper.findAll('tbody tr')).toHaveLength(4)
    expect(wrapper.find('tr.detail').text()).toBe('sans note')

    const custom = mount(BaseTable, {
      props: { columns, rows, rowKey: 'id' },
      slots: { row: ({ row }) => h('tr', { 'data-testid': `custom-${row.id}` }, [h('td', row.name)]) },
    })
    expect(custom.findAll('[data-testid^="custom-"]').map((tr) => tr.text())).toEqual(['RSI', 'MACD', 'ema'])
  })

  it('mise en forme, ton et attributs de cellule déclarés dans les colonnes', () => {
    const wrapper = mount(BaseTable, {
      props: {
        columns: [
          { key: 'name', label: 'Nom', tone: 'strong' },
          { key: 'pnl', label: 'P&L', format: (v) => `${v} %`, tone: (row) => (Number(row.pnl) < 0 ? 'faint' : null), cellAttrs: (row) => ({ 'data-value': row.pnl }) },
        ],
        rows,
        rowKey: 'id',
      },
    })
    const first = wrapper.findAll('tbody tr')[0].findAll('td')
    expect(first[0].classes()).toContain('base-table__cell--strong')
    expect(first[1].text()).toBe('-0.6 %')
    expect(first[1].classes()).toContain('base-table__cell--faint')
    expect(first[1].attributes('data-value')).toBe('-0.6')
    expect(wrapper.findAll('tbody tr')[1].findAll('td')[1].classes()).not.toContain('base-table__cell--faint')
  })

  it('lignes cliquables : clic ou Entrée émettent row-click', async () => {
    const wrapper = mount(BaseTable, { props: { columns, rows, rowKey: 'id', clickableRows: true } })
    const second = wrapper.findAll('tbody tr')[1]
    expect(second.attributes('tabindex')).toBe('0')
    await second.trigger('click')
    await second.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('row-click')).toEqual([[rows[1]], [rows[1]]])

    const inert = mount(BaseTable, { props: { columns, rows, rowKey: 'id' } })
    await inert.find('tbody tr').trigger('click')
    expect(inert.emitted('row-click')).toBeUndefined()
    expect(inert.find('tbody tr').attributes('tabindex')).toBeUndefined()
  })
})
