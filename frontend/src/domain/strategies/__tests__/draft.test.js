import { describe, expect, it } from 'vitest'
import {
  copyName,
  decisionRows,
  draftChanges,
  draftErrors,
  draftFromStrategy,
  isDraftDirty,
  shownParameters,
  uniqueName,
  validationMarkers,
} from '../draft.js'

const SAVED = { id: 3, name: 'EMA', description: '', code: 'class A(Strategy):\n    pass\n', timeframe: '15m' }

describe('brouillon de stratégie', () => {
  it('n’est pas modifié tant qu’il égale la version enregistrée', () => {
    const draft = draftFromStrategy(SAVED)
    expect(draftChanges(draft, SAVED)).toEqual({})
    expect(isDraftDirty(draft, SAVED)).toBe(false)
  })

  it('ne renvoie que les champs modifiés (corps du PATCH), nom sans espaces autour', () => {
    const draft = { ...draftFromStrategy(SAVED), code: SAVED.code + '# fin\n', timeframe: '1h', name: '  EMA  ' }
    expect(draftChanges(draft, SAVED)).toEqual({ code: SAVED.code + '# fin\n', timeframe: '1h' })
    expect(isDraftDirty({ ...draftFromStrategy(SAVED), name: 'EMA 2' }, SAVED)).toBe(true)
  })

  it('revient « non modifié » quand on annule sa modification à la main', () => {
    const draft = { ...draftFromStrategy(SAVED), code: 'x' }
    expect(isDraftDirty(draft, SAVED)).toBe(true)
    draft.code = SAVED.code
    expect(isDraftDirty(draft, SAVED)).toBe(false)
  })

  it('signale en français un nom ou un code vide', () => {
    expect(draftErrors({ ...draftFromStrategy(SAVED), name: '  ', code: '\n' })).toEqual({
      name: 'Le nom ne peut pas être vide.',
      code: 'Le code de la stratégie est vide.',
    })
    expect(draftErrors(draftFromStrategy(SAVED))).toEqual({})
  })
})

describe('noms uniques', () => {
  it('numérote à partir de 2, sans tenir compte de la casse', () => {
    expect(uniqueName('Nouvelle stratégie', [])).toBe('Nouvelle stratégie')
    expect(uniqueName('Nouvelle stratégie', ['nouvelle STRATÉGIE', 'Nouvelle stratégie 2'])).toBe('Nouvelle stratégie 3')
    expect(copyName('EMA', ['EMA', 'EMA (copie)'])).toBe('EMA (copie) 2')
  })
})

describe('résultat de validation', () => {
  it('place l’erreur sur sa ligne (1 = première ligne de l’éditeur)', () => {
    const result = { ok: false, error: 'Erreur de syntaxe ligne 5 : invalid syntax', line: 5, kind: 'syntax' }
    expect(validationMarkers(result)).toEqual([{ line: 5, message: result.error, severity: 'error' }])
  })

  it('ne marque aucune ligne sans numéro, ni pour un succès', () => {
    expect(validationMarkers({ ok: false, error: 'Aucune classe héritant de Strategy trouvée', line: null })).toEqual([])
    expect(validationMarkers({ ok: true, class_name: 'A', results: {} })).toEqual([])
    expect(validationMarkers(null)).toEqual([])
  })

  it('présente les décisions de l’essai en français', () => {
    const rows = decisionRows({
      should_long: true,
      should_short: false,
      calculate_position_size: 100,
      calculate_stop_loss: 0.02,
      calculate_take_profit: 0,
    })
    expect(rows.map((r) => [r.label, r.value, r.active])).toEqual([
      ['Achat (should_long)', 'Oui', true],
      ['Vente à découvert (should_short)', 'Non', false],
      ['Taille de position', '100 (devise de cotation)', true],
      ['Stop loss', '2 %', true],
      ['Take profit', 'aucun', false],
    ])
  })
})

describe('shownParameters', () => {
  const saved = { parameters: [{ name: 'fast', default: 10, type: 'int', line: 4 }] }
  const tested = { ok: true, parameters: [{ name: 'slow', default: 30, type: 'int', line: 5 }] }

  it('code enregistré non modifié : ses paramètres', () => {
    expect(shownParameters({ saved, validation: null, validationStale: false, isDirty: false })).toEqual({ list: saved.parameters, stale: false })
  })

  it('brouillon testé : les paramètres du test ; modifié depuis : ceux enregistrés, signalés périmés', () => {
    expect(shownParameters({ saved, validation: tested, validationStale: false, isDirty: true }).list).toEqual(tested.parameters)
    expect(shownParameters({ saved, validation: tested, validationStale: true, isDirty: true })).toEqual({ list: saved.parameters, stale: true })
  })

  it('sans stratégie : rien', () => {
    expect(shownParameters({ saved: null, validation: null, validationStale: false, isDirty: false })).toEqual({ list: [], stale: false })
  })
})
