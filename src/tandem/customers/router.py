from __future__ import annotations

from fastapi import APIRouter, Path, Response

from tandem.customers import repository, service
from tandem.customers.schemas import CustomerCreate, CustomerFields, CustomerOut, ExternalId, VulnerabilityOut
from tandem.kit.web import DeskDep, PrincipalDep

router = APIRouter(prefix="/customers", tags=["customers"])


@router.post("", status_code=201, operation_id="create_customer")
def create_customer(data: CustomerCreate, desk: DeskDep, principal: PrincipalDep) -> CustomerOut:
    principal.require("customers:write")
    with desk.transaction() as session:
        return CustomerOut.model_validate(service.create(session, data, principal.actor))


@router.put("/by-external-id/{external_id}", operation_id="upsert_customer")
def upsert_customer(
    external_id: ExternalId, data: CustomerFields, desk: DeskDep, principal: PrincipalDep, response: Response
) -> CustomerOut:
    principal.require("customers:write")
    with desk.transaction() as session:
        customer, created = service.upsert(session, external_id, data, principal.actor)
        response.status_code = 201 if created else 200
        return CustomerOut.model_validate(customer)


@router.get("/{customer_id}", operation_id="get_customer")
def get_customer(desk: DeskDep, principal: PrincipalDep, customer_id: int = Path(ge=1)) -> CustomerOut:
    principal.require("customers:read")
    with desk.transaction() as session:
        return CustomerOut.model_validate(service.get(session, customer_id))


@router.get("/{customer_id}/vulnerability", operation_id="get_customer_vulnerability")
def get_customer_vulnerability(
    desk: DeskDep, principal: PrincipalDep, customer_id: int = Path(ge=1)
) -> list[VulnerabilityOut]:
    # Special-category data: only roles that need it (supervisors, admins) may read it.
    principal.require("vulnerability:read")
    with desk.transaction() as session:
        service.get(session, customer_id)
        return [VulnerabilityOut.model_validate(v) for v in repository.vulnerabilities(session, customer_id)]
