import { createRouter, createWebHistory } from 'vue-router'
import LoginView from '../views/LoginView.vue'
import { createAuthGuard } from './guards.js'
import { HOME_PATH, LOGIN_PATH, MENU_ENTRIES } from './menu.js'

const VIEWS = {
  heartbeat: () => import('../views/HeartbeatView.vue'),
  'trading-manuel': () => import('../views/TradingManuelView.vue'),
  'trading-bot': () => import('../views/TradingBotView.vue'),
  strategies: () => import('../views/StrategiesView.vue'),
  backtest: () => import('../views/BacktestView.vue'),
  webhooks: () => import('../views/WebhooksView.vue'),
  statistiques: () => import('../views/StatistiquesView.vue'),
  'mon-compte': () => import('../views/MonCompteView.vue'),
}

export const routes = [
  { path: '/', redirect: HOME_PATH },
  { path: LOGIN_PATH, name: 'login', component: LoginView, meta: { public: true, bare: true, title: 'Connexion' } },
  ...MENU_ENTRIES.map((entry) => ({
    path: entry.path,
    name: entry.name,
    component: VIEWS[entry.name],
    meta: { title: entry.label },
  })),
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { title: 'Page introuvable' },
  },
]

/** @param {ReturnType<typeof import('../stores/auth.js').useAuthStore>} auth */
export function createAppRouter(auth, history = createWebHistory()) {
  const router = createRouter({ history, routes })
  router.beforeEach(createAuthGuard(auth))
  router.afterEach((to) => {
    if (typeof document !== 'undefined') {
      document.title = to.meta?.title ? `${to.meta.title} · Aristobot` : 'Aristobot'
    }
  })
  return router
}
