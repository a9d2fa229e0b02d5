"""``deploy/template.yaml`` lints clean and defines the same table as ``careervp.dal.table``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfnlint.api import lint_file
from cfnlint.decode import decode

from careervp.dal.encryption import ENCRYPTION_CONTEXT
from careervp.dal.schema import INDEX_NAME, TTL_ATTRIBUTE
from careervp.dal.table import HANDLER_ACTIONS, TABLE_CLASS, TABLE_CLASSES, table_definition

TEMPLATE = Path(__file__).parents[2] / "deploy" / "template.yaml"


def _template() -> dict[str, Any]:
    template, problems = decode(str(TEMPLATE))
    assert not problems
    assert template is not None
    return dict(template)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_cfn_lint_finds_nothing() -> None:
    assert [str(match) for match in lint_file(TEMPLATE)] == []


def test_the_table_is_the_python_definition() -> None:
    table = _plain(_template()["Resources"]["TailoredCvTable"]["Properties"])
    wanted = table_definition("ignored")
    assert table["AttributeDefinitions"] == wanted["AttributeDefinitions"]
    assert table["KeySchema"] == wanted["KeySchema"]
    assert table["GlobalSecondaryIndexes"] == wanted["GlobalSecondaryIndexes"]
    assert table["BillingMode"] == wanted["BillingMode"]
    sse = wanted["SSESpecification"]
    assert table["SSESpecification"] == {"SSEEnabled": sse["Enabled"], "SSEType": sse["SSEType"]}
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True


def test_the_table_class_is_a_parameter_defaulting_to_the_python_definitions() -> None:
    template = _plain(_template())
    table = template["Resources"]["TailoredCvTable"]["Properties"]
    assert table["TableClass"] == {"Ref": "TableClass"}
    parameter = template["Parameters"]["TableClass"]
    assert parameter["Default"] == table_definition("ignored")["TableClass"] == TABLE_CLASS
    assert tuple(parameter["AllowedValues"]) == TABLE_CLASSES


def test_the_policy_grants_exactly_the_handlers_actions_on_table_and_index() -> None:
    policy = _plain(_template()["Resources"]["TailoredCvHandlerPolicy"]["Properties"])
    statement, _ = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert tuple(statement["Action"]) == HANDLER_ACTIONS
    resources = statement["Resource"]
    assert {"Fn::GetAtt": ["TailoredCvTable", "Arn"]} in resources
    assert {"Fn::Sub": f"${{TailoredCvTable.Arn}}/index/{INDEX_NAME}"} in resources


def test_the_python_definition_is_the_contracts_table() -> None:
    definition = table_definition("tailored")
    assert definition["TableName"] == "tailored"
    assert definition["KeySchema"] == [
        {"AttributeName": "application_id", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    (index,) = definition["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "user_id_created_at_gsi"
    assert index["KeySchema"] == [
        {"AttributeName": "user_id", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": [
            "expiration_timestamp",
            "idempotency_key",
            "job_id",
            "cv_version",
            "fvs_validation_passed",
            "metadata",
            "summary_mac",
        ],
    }
    assert {a["AttributeName"]: a["AttributeType"] for a in definition["AttributeDefinitions"]} == {
        "application_id": "S",
        "created_at": "S",
        "user_id": "S",
    }
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    assert definition["SSESpecification"]["Enabled"] is True
    assert TTL_ATTRIBUTE == "expiration_timestamp"


def test_the_content_key_rotates_and_the_handler_may_only_use_it_for_cv_data_keys() -> None:
    resources = _plain(_template()["Resources"])
    key = resources["TailoredCvContentKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    policy = resources["TailoredCvHandlerPolicy"]["Properties"]["PolicyDocument"]
    _, statement = policy["Statement"]
    # Exactly what KmsCipher calls, on this key, for data keys bound to the store's context.
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert statement["Resource"] == {"Fn::GetAtt": ["TailoredCvContentKey", "Arn"]}
    conditions = statement["Condition"]["StringEquals"]
    assert conditions == {f"kms:EncryptionContext:{k}": v for k, v in ENCRYPTION_CONTEXT.items()}
