from __future__ import annotations

from ordercore.memory import InMemoryOrderRepository
from ordercore.ports import OrderRepository
from ordercore.testing.contracts import OrderRepositoryContract


class TestInMemoryOrderRepository(OrderRepositoryContract):
    def make_repository(self) -> OrderRepository:
        return InMemoryOrderRepository()


def test_the_in_memory_repository_satisfies_the_protocol() -> None:
    assert isinstance(InMemoryOrderRepository(), OrderRepository)
