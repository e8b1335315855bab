import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.js'

export default defineConfig((env) =>
  mergeConfig(
    viteConfig(env),
    defineConfig({
      test: {
        environment: 'jsdom',
        include: ['src/**/__tests__/*.test.js', 'tests/unit/**/*.test.js'],
        restoreMocks: true,
        unstubGlobals: true,
        // Fuseau fixe ≠ UTC pour que les tests « heure locale » soient déterministes.
        env: { TZ: 'Europe/Paris' },
      },
    }),
  ),
)
