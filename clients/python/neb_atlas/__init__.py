"""Python client of the neb-atlas GraphQL API (see README.md and the repository's schema.graphql).

Queries and downloads need only the standard library; `subscribe` needs `websockets`, and
`to_torch` / `upload_minimum` need `torch`.
"""
from .client import ApiError, Client, RunFailed, TERMINAL_STATUSES
from .safetensors import Parameters, Tensor, decode_safetensors, encode_safetensors

__all__ = [
    "ApiError",
    "Client",
    "Parameters",
    "RunFailed",
    "TERMINAL_STATUSES",
    "Tensor",
    "decode_safetensors",
    "encode_safetensors",
]
