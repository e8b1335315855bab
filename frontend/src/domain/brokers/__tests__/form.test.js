import { describe, expect, it } from 'vitest'
import {
  Phase,
  brokerFormFromBroker,
  brokerFormReducer,
  checkPayload,
  fieldErrorsFromApi,
  initialMachine,
  normalizeBalance,
  savePayload,
  validateBrokerForm,
} from '../form.js'

const run = (events, state = initialMachine()) => events.reduce(brokerFormReducer, state)
const BINANCE = { id: 'binance', name: 'Binance', sandbox: true, requires_password: false }
const KUCOIN = { id: 'kucoin', name: 'KuCoin', sandbox: false, requires_password: true }

describe('machine à états de la fenêtre broker', () => {
  it('vérification → confirmation → enregistrement', () => {
    let state = run([{ type: 'CHECK_START' }])
    expect(state.phase).toBe(Phase.CHECKING)
    state = run([{ type: 'CHECK_OK', check: { ok: true, balances: [] } }], state)
    expect(state.phase).toBe(Phase.CHECKED)
    expect(state.check.ok).toBe(true)
    state = run([{ type: 'SAVE_START' }, { type: 'SAVE_OK' }], state)
    expect(state.phase).toBe(Phase.SAVED)
  })

  it('impossible d’enregistrer sans vérification réussie', () => {
    expect(run([{ type: 'SAVE_START' }]).phase).toBe(Phase.EDIT)
    expect(run([{ type: 'CHECK_START' }, { type: 'SAVE_START' }]).phase).toBe(Phase.CHECKING)
  })

  it('un échec de vérification revient à la saisie avec l’erreur', () => {
    const state = run([{ type: 'CHECK_START' }, { type: 'CHECK_FAIL', message: 'Erreur de connexion à Binance : Invalid API-key', fieldErrors: { apiKey: 'x' } }])
    expect(state).toMatchObject({ phase: Phase.EDIT, check: null, error: 'Erreur de connexion à Binance : Invalid API-key' })
    expect(state.fieldErrors.apiKey).toBe('x')
  })

  it('modifier un champ après vérification l’invalide', () => {
    const state = run([{ type: 'CHECK_START' }, { type: 'CHECK_OK', check: {} }, { type: 'FIELD_CHANGED', field: 'name' }])
    expect(state).toEqual(initialMachine())
  })

  it('modifier un champ en erreur efface son message', () => {
    const state = run([{ type: 'INVALID', fieldErrors: { name: 'x', apiKey: 'y' } }, { type: 'FIELD_CHANGED', field: 'name' }])
    expect(state.fieldErrors).toEqual({ apiKey: 'y' })
  })

  it('un échec d’enregistrement garde le solde vérifié et affiche l’erreur', () => {
    const state = run([
      { type: 'CHECK_START' },
      { type: 'CHECK_OK', check: { total_usd: 1 } },
      { type: 'SAVE_START' },
      { type: 'SAVE_FAIL', message: 'Vous avez déjà un broker nommé « A ».' },
    ])
    expect(state).toMatchObject({ phase: Phase.CHECKED, check: { total_usd: 1 }, error: 'Vous avez déjà un broker nommé « A ».' })
  })

  it('les événements hors contexte sont ignorés', () => {
    const state = initialMachine()
    expect(brokerFormReducer(state, { type: 'CHECK_OK', check: {} })).toBe(state)
    expect(brokerFormReducer(state, { type: 'SAVE_OK' })).toBe(state)
    expect(brokerFormReducer(state, { type: 'INCONNU' })).toBe(state)
  })
})

describe('validation et charges utiles', () => {
  const filled = { ...brokerFormFromBroker(null), name: 'Principal', apiKey: 'k', apiSecret: 's' }

  it('ajout : nom, clé et secret obligatoires', () => {
    expect(Object.keys(validateBrokerForm(brokerFormFromBroker(null), { exchangeInfo: BINANCE })).sort()).toEqual(['apiKey', 'apiSecret', 'name'])
    expect(validateBrokerForm(filled, { exchangeInfo: BINANCE })).toEqual({})
  })

  it('modification : clés facultatives (gardées si vides)', () => {
    const broker = { id: 3, name: 'A', exchange: 'binance', is_testnet: false, has_password: false }
    expect(validateBrokerForm(brokerFormFromBroker(broker), { broker, exchangeInfo: BINANCE })).toEqual({})
  })

  it('passphrase exigée et testnet impossible selon l’exchange', () => {
    const errors = validateBrokerForm({ ...filled, exchange: 'kucoin', isTestnet: true }, { exchangeInfo: KUCOIN })
    expect(errors.password).toMatch(/passphrase/)
    expect(errors.isTestnet).toMatch(/pas de testnet/)
    const broker = { id: 1, exchange: 'kucoin', has_password: true }
    expect(validateBrokerForm({ ...filled, exchange: 'kucoin' }, { broker, exchangeInfo: KUCOIN }).password).toBeUndefined()
  })

  it('corps de la vérification (avec broker_id en modification)', () => {
    expect(checkPayload(filled)).toEqual({ exchange: 'binance', api_key: 'k', api_secret: 's', password: '', is_testnet: false })
    expect(checkPayload({ ...filled, apiKey: '', apiSecret: '' }, { id: 4 })).toMatchObject({ broker_id: 4, api_key: '' })
  })

  it('corps de l’enregistrement : secrets vides omis, défaut seulement à la création', () => {
    expect(savePayload({ ...filled, isDefault: true })).toEqual({ name: 'Principal', exchange: 'binance', is_testnet: false, is_default: true, api_key: 'k', api_secret: 's' })
    expect(savePayload({ ...filled, apiKey: '', apiSecret: '' }, { id: 2 })).toEqual({ name: 'Principal', exchange: 'binance', is_testnet: false })
  })

  it('erreurs du backend rattachées aux champs', () => {
    expect(fieldErrorsFromApi({ api_key: ['Obligatoire.'], non_field_errors: ['x'], name: 'Pris.' })).toEqual({ apiKey: 'Obligatoire.', name: 'Pris.' })
    expect(fieldErrorsFromApi(null)).toEqual({})
  })

  it('solde : nombres (chaînes ou nombres), valeur USD absente tolérée', () => {
    const balance = normalizeBalance({ balances: [{ asset: 'BTC', free: '0.5', used: 0, total: '0.5', usd_value: '30000.1' }, { asset: 'XYZ', free: 1, used: 0, total: 1, usd_value: null }], total_usd: 30000.1 })
    expect(balance.totalUsd).toBe(30000.1)
    expect(balance.rows[0]).toEqual({ asset: 'BTC', free: 0.5, used: 0, total: 0.5, usdValue: 30000.1 })
    expect(balance.rows[1].usdValue).toBeNull()
    expect(normalizeBalance({}).rows).toEqual([])
  })
})

describe('broker papier', () => {
  const paper = { ...brokerFormFromBroker(null), name: 'Essai', isPaper: true }

  it('enregistré sans vérification de clés ; un échec revient à la saisie', () => {
    expect(run([{ type: 'SAVE_START' }]).phase).toBe(Phase.EDIT)
    const saving = run([{ type: 'SAVE_START', direct: true }])
    expect(saving.phase).toBe(Phase.SAVING)
    expect(run([{ type: 'SAVE_OK' }], saving).phase).toBe(Phase.SAVED)
    const failed = run([{ type: 'SAVE_FAIL', message: 'Actif inconnu sur Binance : FOO.', fieldErrors: { paperBalances: 'x' } }], saving)
    expect(failed).toMatchObject({ phase: Phase.EDIT, error: 'Actif inconnu sur Binance : FOO.' })
  })

  it('ni clé ni secret exigés ; soldes de départ contrôlés', () => {
    expect(paper.paperBalances).toBe('10000 USDT')
    expect(validateBrokerForm(paper, { exchangeInfo: KUCOIN })).toEqual({})
    expect(validateBrokerForm({ ...paper, paperBalances: 'plein' }, { exchangeInfo: BINANCE }).paperBalances).toMatch('illisible')
  })

  it('charges utiles : mode et exchange à la création seulement, jamais de clés', () => {
    expect(savePayload({ ...paper, apiKey: 'k', paperBalances: '500 USDT; 0,1 BTC', isDefault: true })).toEqual({
      name: 'Essai', exchange: 'binance', is_paper: true, is_default: true, paper_balances: { USDT: '500', BTC: '0.1' },
    })
    const broker = { id: 9, name: 'Essai', exchange: 'binance', is_paper: true, paper_balances: { USDT: '1000' } }
    const form = brokerFormFromBroker(broker)
    expect(form).toMatchObject({ isPaper: true, paperBalances: '1000 USDT' })
    expect(savePayload(form, broker)).toEqual({ name: 'Essai', paper_balances: { USDT: '1000' } })
    expect(fieldErrorsFromApi({ paper_balances: ['Actif inconnu.'] })).toEqual({ paperBalances: 'Actif inconnu.' })
  })
})
