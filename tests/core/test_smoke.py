from rapport.core.visibility import visible_to
from rapport.customers.models import Account
from tests.factories import AccountFactory


def test_salesperson_sees_own_accounts_and_manager_sees_team(org):
    mine = AccountFactory.create(owner=org.salesperson)
    AccountFactory.create(owner=org.other_salesperson)
    assert list(visible_to(org.salesperson, Account)) == [mine]
    assert list(visible_to(org.emea_manager, Account)) == [mine]
    assert visible_to(org.admin, Account).count() == 2
