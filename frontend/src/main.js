import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { installTokens } from './design-system/applyTokens.js'
import { createAppRouter } from './router/index.js'
import { useAuthStore } from './stores/auth.js'
import { usePreferencesStore } from './stores/preferences.js'
import './styles/base.css'

installTokens()

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)

usePreferencesStore(pinia).init()
const router = createAppRouter(useAuthStore(pinia))
app.use(router)

// Monte même si la première navigation échoue (backend injoignable) : la page de connexion l'affichera.
router
  .isReady()
  .catch((error) => console.error('[aristobot] navigation initiale', error))
  .then(() => app.mount('#app'))
