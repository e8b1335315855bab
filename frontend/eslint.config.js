// ESLint à la manière de create-vue : règles recommandées de JavaScript et de Vue 3 (flat config).
// `make lint` le lance ; tout avertissement compte comme une erreur (--max-warnings 0).
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

const UI_IMPORTS = {
  group: ['**/components/**', '**/views/**', '*.vue'],
  message: 'La logique (stores, composables, src/domain…) n’importe ni composant ni vue : déplacez le code partagé dans src/domain/<fonctionnalité>/.',
}
const PURE_MESSAGE = 'src/domain et src/utils sont de la logique pure (testée sans Vue) : l’état va dans un store, le réseau dans src/api ou src/websocket.'

export default [
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'e2e/screenshots/**'] },
  js.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // Mise en forme : laissée à l'écriture (pas de Prettier dans le projet).
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      'vue/attributes-order': 'off',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Typographie française voulue (espaces insécables autour de « » : ; ? ! et dans les nombres).
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipComments: true, skipRegExps: true }],
    },
  },
  {
    files: ['**/*.vue'],
    rules: {
      'no-irregular-whitespace': 'off',
      'vue/no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipComments: true, skipRegExps: true, skipHTMLAttributeValues: true, skipHTMLTextContents: true }],
    },
  },
  {
    // Les couches sans interface (stores, composables, API, WebSocket) n'importent jamais un composant
    // ni une vue : la logique partagée vit dans src/domain/<fonctionnalité>/.
    files: ['src/stores/**', 'src/composables/**', 'src/api/**', 'src/websocket/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [UI_IMPORTS] }],
    },
  },
  {
    // La logique métier (src/domain) et les aides (src/utils) restent pures : ni interface, ni état
    // (stores, composables), ni réseau (API, connexion WebSocket), ni Vue ou Pinia.
    files: ['src/domain/**', 'src/utils/**'],
    ignores: ['**/__tests__/**'], // les tests assemblent ce qu'ils vérifient (ApiError…)
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vue', 'pinia', 'vue-router'].map((name) => ({ name, message: PURE_MESSAGE })),
        patterns: [UI_IMPORTS, { group: ['**/stores/**', '**/composables/**', '**/api/**', '**/websocket/index.js', '**/websocket/manager.js'], message: PURE_MESSAGE }],
      }],
    },
  },
  {
    files: ['**/__tests__/**', 'tests/**', 'e2e/**', '**/*.test.js', '**/*.test.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.vitest } },
  },
]
