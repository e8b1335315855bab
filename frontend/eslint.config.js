// ESLint à la manière de create-vue : règles recommandées de JavaScript et de Vue 3 (flat config).
// `make lint` le lance ; tout avertissement compte comme une erreur (--max-warnings 0).
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

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
    // Les couches sans interface (logique métier, stores, composables, API, WebSocket, aides)
    // n'importent jamais un composant ni une vue : la logique vit dans src/domain/<fonctionnalité>/.
    files: ['src/domain/**', 'src/stores/**', 'src/composables/**', 'src/api/**', 'src/websocket/**', 'src/utils/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/components/**', '**/views/**', '*.vue'],
          message: 'La logique (src/domain, stores, composables…) n’importe ni composant ni vue : déplacez le code partagé dans src/domain/<fonctionnalité>/.',
        }],
      }],
    },
  },
  {
    files: ['**/__tests__/**', 'tests/**', 'e2e/**', '**/*.test.js', '**/*.test.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.vitest } },
  },
]
