import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PAGE_SIZE,
  GAP,
  PAGE_SIZES,
  clampPage,
  normalizePageSize,
  pageAfterResize,
  pageCount,
  pageLabel,
  pageWindow,
  visiblePages,
} from '../pagination.js'

describe('pagination', () => {
  it('propose 10/25/50/100 et ramène toute taille à la plus proche', () => {
    expect(PAGE_SIZES).toEqual([10, 25, 50, 100])
    expect(normalizePageSize('50')).toBe(50)
    expect(normalizePageSize(30)).toBe(25)
    expect(normalizePageSize(1000)).toBe(100)
    expect(normalizePageSize('x')).toBe(DEFAULT_PAGE_SIZE)
  })

  it('compte les pages et borne la page courante', () => {
    expect(pageCount(0, 25)).toBe(1)
    expect(pageCount(26, 25)).toBe(2)
    expect(pageCount(100, 10)).toBe(10)
    expect(clampPage(0, 100, 10)).toBe(1)
    expect(clampPage(12, 100, 10)).toBe(10)
    expect(clampPage('3', 100, 10)).toBe(3)
  })

  it('décrit la fenêtre affichée', () => {
    expect(pageWindow({ page: 2, pageSize: 25, count: 40 })).toEqual({ from: 26, to: 40 })
    expect(pageWindow({ page: 1, pageSize: 25, count: 0 })).toEqual({ from: 0, to: 0 })
    expect(pageLabel({ page: 1, pageSize: 10, count: 16 })).toBe('1–10 sur 16')
    expect(pageLabel({ page: 1, pageSize: 10, count: 0 })).toBe('Aucun résultat')
  })

  it('garde le premier élément affiché visible quand la taille change', () => {
    expect(pageAfterResize({ page: 3, pageSize: 10 }, 25)).toBe(1) // élément 21 → page 1 de 25
    expect(pageAfterResize({ page: 3, pageSize: 25 }, 10)).toBe(6) // élément 51 → page 6 de 10
    expect(pageAfterResize({ page: 1, pageSize: 100 }, 10)).toBe(1)
  })

  it('numéros de page compacts', () => {
    expect(visiblePages(1, 1)).toEqual([1])
    expect(visiblePages(1, 4)).toEqual([1, 2, GAP, 4])
    expect(visiblePages(5, 10)).toEqual([1, GAP, 4, 5, 6, GAP, 10])
    expect(visiblePages(10, 10)).toEqual([1, GAP, 9, 10])
  })
})
