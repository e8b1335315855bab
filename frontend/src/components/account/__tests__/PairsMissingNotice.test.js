import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { jsonResponse, stubFetch } from '../../../../tests/helpers/fetch.js'
import { PAIRS_POLL_MS } from '../../../stores/brokers.js'
import PairsMissingNotice from '../PairsMissingNotice.vue'

const BROKER = { id: 5, name: 'Démo', exchange: 'binance' }

describe('PairsMissingNotice', () => {
  let fetchMock
  let polls

  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    polls = 0
    fetchMock = stubFetch({
      'POST /api/brokers/5/update-pairs/': jsonResponse(202, {
        job_id: 9, started: true, job: { id: 9, exchange: 'binance', status: 'running', progress: 20 },
      }),
      'GET /api/brokers/5/update-pairs/': () => {
        polls += 1
        return jsonResponse(200, { job: { id: 9, exchange: 'binance', status: 'done', total: 16, processed: 16 } })
      },
    })
  })

  afterEach(() => vi.useRealTimers())

  it('lance « MAJ Paires » sur place, montre la progression puis émet loaded', async () => {
    const wrapper = mount(PairsMissingNotice, { props: { broker: BROKER, exchangeName: 'Binance' } })
    expect(wrapper.text()).toContain('Aucune paire enregistrée pour Binance')
    await wrapper.find('[data-testid="pairs-missing-load"]').trigger('click')
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledWith(expect.stringContaining('/api/brokers/5/update-pairs/'), expect.objectContaining({ method: 'POST' }))
    expect(wrapper.find('[data-testid="pairs-missing-load"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="pairs-progress"]').attributes('data-status')).toBe('running')
    expect(wrapper.emitted('loaded')).toBeUndefined()

    await vi.advanceTimersByTimeAsync(PAIRS_POLL_MS)
    await flushPromises()
    expect(polls).toBe(1)
    expect(wrapper.find('[data-testid="pairs-progress"]').text()).toContain('16 paires enregistrées')
    expect(wrapper.emitted('loaded')).toHaveLength(1)
  })

  it('sans broker : bouton désactivé', () => {
    const wrapper = mount(PairsMissingNotice, { props: { broker: null } })
    expect(wrapper.find('[data-testid="pairs-missing-load"]').attributes('disabled')).toBeDefined()
  })
})
