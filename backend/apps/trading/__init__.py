"""Ordres et journal des trades : le chemin unique de tout ordre (manuel, stratégie, webhook)."""
