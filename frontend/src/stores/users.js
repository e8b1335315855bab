import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as usersApi from '../api/users.js'

export const MAX_USERS = 5

/** Comptes de l'application, vus par un administrateur (Mon Compte › Utilisateurs). */
export const useUsersStore = defineStore('users', () => {
  /** @type {import('vue').Ref<import('../api/users.js').ManagedUser[]>} */
  const items = ref([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref('')

  const full = computed(() => items.value.length >= MAX_USERS)

  function replace(user) {
    const others = items.value.filter((u) => u.id !== user.id)
    items.value = [...others, user].sort((a, b) => a.username.localeCompare(b.username, 'fr'))
  }

  async function fetchAll() {
    loading.value = true
    error.value = ''
    try {
      items.value = await usersApi.listUsers()
      loaded.value = true
    } catch (err) {
      error.value = err.message
    } finally {
      loading.value = false
    }
  }

  async function create(values) {
    const user = await usersApi.createUser(values)
    replace(user)
    return user
  }

  async function setActive(user, active) {
    const updated = await usersApi.updateUser(user.id, { is_active: active })
    replace(updated)
    return updated
  }

  async function setStaff(user, staff) {
    const updated = await usersApi.updateUser(user.id, { is_staff: staff })
    replace(updated)
    return updated
  }

  const resetPassword = (user, password) => usersApi.resetPassword(user.id, password)

  /** Supprime ; une 409 « stratégies live » remonte telle quelle (l'appelant redemande). */
  async function remove(user, { confirm = false } = {}) {
    await usersApi.deleteUser(user.id, { confirm })
    items.value = items.value.filter((u) => u.id !== user.id)
  }

  return { items, loaded, loading, error, full, fetchAll, create, setActive, setStaff, resetPassword, remove }
})
