"""Bruit pseudo-aléatoire « à compteur » : une valeur est une fonction pure de (clé, indice).

Aucun état n'est conservé : on peut tirer la valeur du bruit à n'importe quel indice (une minute
d'il y a trois ans, une seconde de la minute en cours) sans rien rejouer. Le hachage est un
finaliseur SplitMix64 vectorisé avec numpy (arithmétique uint64 modulo 2**64).
"""

from __future__ import annotations

import hashlib

import numpy as np

_MASK64 = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV_2_53 = 1.0 / float(1 << 53)
_LOW16 = np.uint64(0xFFFF)
_INV_65536 = 1.0 / 65536.0
_IRWIN_HALL_SCALE = 3.0**0.5  # la somme de 4 uniformes a une variance de 4/12


def derive_key(*parts: object) -> int:
    """Dérive une clé 64 bits stable (indépendante de PYTHONHASHSEED) à partir de morceaux."""
    text = "|".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def _mix_int(value: int) -> int:
    """Finaliseur SplitMix64 sur un entier Python (pour brasser la clé)."""
    x = value & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _mix(values: np.ndarray) -> np.ndarray:
    """Finaliseur SplitMix64 sur un tableau uint64 (les débordements bouclent, voulu)."""
    x = values ^ (values >> _S30)
    x = x * _MUL1
    x = x ^ (x >> _S27)
    x = x * _MUL2
    return x ^ (x >> _S31)


def hash_u64(key: int, indices: np.ndarray) -> np.ndarray:
    """Hache chaque indice (entier ≥ 0) avec la clé ; renvoie un tableau uint64."""
    idx = np.asarray(indices, dtype=np.int64).astype(np.uint64)
    return _mix(idx * _GOLDEN + np.uint64(_mix_int(key)))


def uniform(key: int, indices: np.ndarray) -> np.ndarray:
    """Uniformes dans l'intervalle ouvert ]0, 1[."""
    bits = (hash_u64(key, indices) >> _S11).astype(np.float64)
    return (bits + 0.5) * _INV_2_53


def gaussian(key: int, indices: np.ndarray) -> np.ndarray:
    """Quasi-normales centrées réduites (Irwin-Hall : somme de quatre uniformes 16 bits).

    Un seul hachage par valeur ; queues bornées à ±3,46 σ, ce qui convient à un marché simulé.
    """
    bits = hash_u64(key, indices)
    total = np.zeros(bits.shape, dtype=np.float64)
    for shift in (0, 16, 32, 48):
        total += ((bits >> np.uint64(shift)) & _LOW16).astype(np.float64)
    return (total * _INV_65536 - 2.0) * _IRWIN_HALL_SCALE
