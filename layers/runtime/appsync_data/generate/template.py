"""template.yaml: the SAM application for a schema, with one table, env var and resolver per model.

Generated, not hand-written, so that a new model in functions/data/resource.py needs no template
edit: `python -m appsync_data generate` rewrites schema.graphql and this file together.
The template is built as data (dicts and lists, intrinsics as `cfn_yaml` tags) and dumped to
YAML, so the fixed parts (Cognito, the Lambda, the layer, the API) read as a plain SAM template and
the per-model parts are ordinary loops.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from appsync_data.config import table_env_var
from appsync_data.events import (
    DEFAULT_MAX_BATCH_SIZE,
    DEFAULT_QUERY_DEPTH_LIMIT,
    DEFAULT_RESOLVER_COUNT_LIMIT,
)
from appsync_data.generate import cfn_yaml
from appsync_data.generate.cfn_yaml import (
    NO_VALUE,
    Tag,
    and_,
    condition,
    equals,
    get_att,
    if_,
    not_,
    ref,
    sub,
)
from appsync_data.generate.sdl import (
    OIDC,
    USER_POOLS,
    api_auth_modes,
    mutation_fields,
    query_fields,
)
from appsync_data.naming import api_names
from appsync_data.next_token_key import SECRET_ARN_VARIABLE as NEXT_TOKEN_SECRET_ARN
from appsync_data.schema import CUSTOM_OPERATION, AuthRule, Model, Operation, Schema
from appsync_data.tables import table_layout

API_KEY = "API_KEY"
LAMBDA = "AWS_LAMBDA"
RESOLVER_FUNCTION = "invokeData"
RESOLVER_CODE = "functions/resolvers/invoke_data.js"
# Relationship fields: one BatchInvoke of the data Lambda per MaxBatchSize parents.
BATCH_RESOLVER_FUNCTION = "batchInvokeData"
BATCH_RESOLVER_CODE = "functions/resolvers/batch_invoke_data.js"
# Subscription fields: the resolver's own code turns `filter` into AppSync's enhanced filter,
# after invokeData had the Lambda decide `listen`.
SUBSCRIPTION_RESOLVER_CODE = "functions/resolvers/subscription_filter.js"
# Custom operations: the event Amplify hands a function, the data Lambda's error mapping.
FUNCTION_RESOLVER_CODE = "functions/resolvers/invoke_function.js"
APPSYNC_JS = {"Name": "APPSYNC_JS", "Version": "1.0.0"}
API_LOGICAL_ID = "GraphQLApi"
FUNCTION_LOGICAL_ID = "DataFunction"
APPSYNC_INVOKE_ROLE = "GraphQLApiInvokeRole"
APPSYNC_LOGS_ROLE = "GraphQLApiLogsRole"

# AppSync stops every request at 30 s; the Lambda must stop first, retries included (store.py's
# client options fit inside it), so a write never lands after the client was told it failed.
FUNCTION_TIMEOUT_SECONDS = 25
# Lambda's application log levels (LoggingConfig.ApplicationLogLevel); Python's logging knows
# each name too (WARN = WARNING), so POWERTOOLS_LOG_LEVEL takes the same value.
LOG_LEVELS = ("DEBUG", "INFO", "WARN", "ERROR")
# AppSync's query limits (README "Deploying"): deep enough for Amplify's selection sets with
# nested relationships, far below a query built to exhaust the API.


# The only DynamoDB requests the data Lambda makes (store.py): least privilege on its tables.
DATA_FUNCTION_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
# On a table's GSIs (index queries, relationship fields, lists by an indexed key): reads only.
INDEX_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")


def table_logical_id(model: Model) -> str:
    return f"{model.name}Table"


def function_logical_id(function_name: str) -> str:
    """The Lambda of a custom operation's function under functions/NAME (`StatsFunction`)."""
    return "".join(part[:1].upper() + part[1:] for part in function_name.split("_")) + "Function"


def function_data_source(function_name: str) -> str:
    return function_logical_id(function_name).removesuffix("Function") + "Lambda"


def function_resolver_function(function_name: str) -> str:
    """The APPSYNC_JS pipeline function in front of one custom function (invoke_function.js)."""
    return "invoke" + function_logical_id(function_name).removesuffix("Function")


def relationship_fields(schema: Schema) -> list[tuple[Model, str, Model]]:
    """(parent model, field, related model) of every relationship field."""
    return [
        (model, field_name, schema.models[relationship.related_model])
        for model in schema.models.values()
        for field_name, relationship in model.relationships.items()
    ]


# The identity pool's two roles: `allow.authenticated("identityPool")` rules grant the
# authenticated role, `allow.guest()` rules the unauthenticated (guest) one.
AUTHENTICATED = "private"
GUEST = "public"


def _of_role(rule: AuthRule, strategy: str) -> bool:
    return rule.provider == "identityPool" and rule.strategy == strategy


def _admits_identity_pool(
    rules: Iterable[AuthRule], operation: Operation, strategy: str = AUTHENTICATED
) -> bool:
    return any(_of_role(r, strategy) and r.grants(operation) for r in rules)


def identity_pool_fields(model: Model, strategy: str = AUTHENTICATED) -> list[tuple[str, str]]:
    """(type, field) pairs the identity pool's authenticated role (strategy "private") or guest
    role ("public") may call for this model."""
    rules = [r for r in model.rules if _of_role(r, strategy)]

    def granted(op: Operation) -> bool:
        return any(r.grants(op) for r in rules)

    fields = [("Query", f) for f, op in query_fields(model).items() if granted(op)]
    fields += [("Mutation", f) for f, op in mutation_fields(model).items() if granted(op)]
    if granted("listen"):
        fields += [("Subscription", f) for f in api_names(model).subscriptions()]
    if fields:
        # Result types, so nested selections (items, nextToken) are callable too.
        fields += [(model.name, "*"), (api_names(model).connection, "*")]
    return fields


def identity_pool_relationship_fields(
    schema: Schema, strategy: str = AUTHENTICATED
) -> list[tuple[str, str]]:
    """Relationship fields the identity pool's role may call: those whose RELATED model's read
    rules admit identityPool (the Lambda decides them under that model's rules), on parent types
    the role does not already have whole."""
    whole_types = {
        type_name
        for model in schema.models.values()
        for type_name, field in identity_pool_fields(model, strategy)
        if field == "*"
    }
    return [
        (parent.name, field_name)
        for parent, field_name, related in relationship_fields(schema)
        if parent.name not in whole_types
        and any(_admits_identity_pool(related.rules, op, strategy) for op in ("get", "list"))
    ]


def identity_pool_operation_fields(
    schema: Schema, strategy: str = AUTHENTICATED
) -> list[tuple[str, str]]:
    """Custom operations whose rules admit identityPool, and the custom types they return."""
    fields: list[tuple[str, str]] = []
    for op in schema.operations.values():
        if _admits_identity_pool(op.rules, CUSTOM_OPERATION, strategy):
            fields.append((op.operation_type, op.name))
            if op.returns.type_name in {*schema.custom_types, *schema.models}:
                fields.append((op.returns.type_name, "*"))
    return list(dict.fromkeys(fields))


def identity_pool_grants(schema: Schema, strategy: str = AUTHENTICATED) -> list[tuple[str, str]]:
    """Every (type, field) the identity pool's authenticated role (or, strategy GUEST, its guest
    role) may call ("*": all fields)."""
    fields = [f for m in schema.models.values() for f in identity_pool_fields(m, strategy)]
    fields += identity_pool_relationship_fields(schema, strategy)
    fields += identity_pool_operation_fields(schema, strategy)
    return list(dict.fromkeys(fields))


def guest_grants(schema: Schema) -> list[tuple[str, str]]:
    """Every (type, field) `allow.guest()` rules grant the identity pool's unauthenticated role."""
    return identity_pool_grants(schema, GUEST)


def uses_api_key(schema: Schema) -> bool:
    """`allow.public_api_key()` anywhere: the API gets an API_KEY provider and a key."""
    return "apiKey" in schema.providers()


def lambda_authorizer(schema: Schema) -> str | None:
    """The function under functions/ that authorizes AWS_LAMBDA callers (`allow.custom()`)."""
    return schema.modes.lambda_authorizer


_HEADER = """\
GENERATED by `python -m appsync_data generate` from functions/data/resource.py — do not edit.
Change the schema (or appsync_data/generate/template.py) and run `make generate`."""

_POOL_ID = if_("CreateUserPool", ref("UserPool"), ref("ExistingUserPoolId"))
_CLIENT_ID = if_("CreateUserPoolClient", ref("UserPoolClient"), ref("ExistingUserPoolClientId"))
# The API's id: the last part of its ARN (Ref); GetAtt ApiId trips cfn-lint on SAM source.
_API_ID = Tag("Select", [1, Tag("Split", ["/", ref(API_LOGICAL_ID)])])
_IDENTITY_POOL_ID = if_("CreateIdentityPool", ref("IdentityPool"), ref("ExistingIdentityPoolId"))

# Why each fixed part is as it is, written above it in template.yaml (dotted key paths).
_FUNCTION = "Resources.DataFunction.Properties"
_COMMENTS = {
    "Transform": "LanguageExtensions lets DeletionPolicy follow a parameter.",
    "Metadata.cfn-lint.config.ignore_checks": (
        "cfn-lint's schema of AWS::Serverless::GraphQLApi lists no attributes, so the GraphQLUrl\n"
        "output is a false E6101 on this source; the transformed template is linted in full."
    ),
    "Resources.UserPool": "--- Cognito: who the callers are ---",
    "Resources.UserPool.DeletionPolicy": (
        "The pools hold every user and identity id: deleting the stack, or a change that\n"
        "replaces a pool, must not take them along in production (samconfig.toml: prod)."
    ),
    "Resources.AuthenticatedRole": (
        "Signed-in identities of the identity pool; granted the GraphQL fields below."
    ),
    "Resources.GuestRole": (
        "Guests: a role with no permission at all on the API (allow.authenticated refuses them)."
    ),
    "Resources.NextTokenSecret": (
        "Key that signs list nextTokens, so a forged or altered token is refused."
    ),
    "Resources.RuntimeLayer": (
        "--- The data Lambda: every model field (queries, mutations, subscribe-time `listen`,\n"
        "relationship batches) ---"
    ),
    "Resources.RuntimeLayer.Properties.LayerName": (
        "One layer name per stack: dev and prod never publish into each other's layer."
    ),
    "Resources.RuntimeLayer.Properties.PublishLambdaVersion": (
        "A new layer version publishes a new function version, so the `live` alias AppSync\n"
        "calls runs it: SAM names versions by the function's own code and settings, not its\n"
        "layers."
    ),
    "Resources.RuntimeLayer.Metadata": (
        "layers/runtime/Makefile: pinned wheels for arm64 plus bytecode compiled for python3.13\n"
        "(Lambda's /opt is read-only, so without shipped .pyc every cold start recompiles)."
    ),
    f"{_FUNCTION}.Timeout": (
        "AppSync stops every request at 30 s: the Lambda stops first, DynamoDB's retries\n"
        "included (store.py), so a write never lands after the client was told it failed."
    ),
    f"{_FUNCTION}.AutoPublishAlias": (
        "SnapStart snapshots the initialised handler: it needs a published version (the alias)."
    ),
    f"{_FUNCTION}.VersionDeletionPolicy": (
        "With SnapStart each kept version is billed for its cached snapshot."
    ),
    f"{_FUNCTION}.LoggingConfig.ApplicationLogLevel": (
        "With JSON logs Lambda drops records below this level, whatever Powertools is told."
    ),
    f"{_FUNCTION}.Environment.Variables.UNAUTH_ROLE_ARN": (
        "Sessions of the guest role are never admitted as plain IAM principals."
    ),
    f"{_FUNCTION}.Environment.Variables.{NEXT_TOKEN_SECRET_ARN}": (
        "The secret's ARN, not its value: the key is read at init (next_token_key.py), so\n"
        "lambda:GetFunctionConfiguration does not reveal it."
    ),
    f"{_FUNCTION}.Policies": (
        "DynamoDB permissions on the app's tables only, and only the requests store.py makes\n"
        "(their GSIs: reads only); the nextToken key: this one secret."
    ),
    "Resources.GraphQLApi": (
        "--- The API: schema.graphql, auth modes, the pipeline function of every field ---"
    ),
    "Resources.GraphQLApi.Properties.QueryDepthLimit": (
        "Checked by AppSync before any resolver runs (README: Deploying)."
    ),
    "Resources.GraphQLApi.Properties.DataSources.Lambda.DataLambda.FunctionArn": (
        "The alias: the SnapStart-published version."
    ),
    "Resources.GraphQLApi.Properties.Resolvers": (
        "Query/Mutation: no resolver code, SAM's default APPSYNC_JS pipeline code passes the\n"
        "function's result on. Subscriptions: the Lambda decides `listen`, then the resolver's\n"
        "code sets the `filter` argument as AppSync's enhanced subscription filter."
    ),
    "Resources.GraphQLApiLogs": (
        "AppSync's own log group, declared so that it expires. The API id is the last part of\n"
        "the API's ARN (Ref): GetAtt ApiId trips cfn-lint on SAM source."
    ),
    "Resources.GraphQLApiInvokeRole": (
        "AppSync's service roles, declared rather than left to SAM, whose roles trust any\n"
        "caller of appsync.amazonaws.com: only for an API of this account (confused deputy)."
    ),
    "Resources.GraphQLApiLogsRole.Properties.AssumeRolePolicyDocument": (
        "The API names this role in its LogConfig, so the role cannot name the API's id (a\n"
        "cycle): any AppSync API of this account and region."
    ),
}


def _parameters(schema: Schema, uses_oidc: bool) -> dict[str, Any]:
    def text(default: str, description: str) -> dict[str, Any]:
        return {"Type": "String", "Default": default, "Description": description}

    oidc = {
        "OidcIssuer": {
            "Type": "String",
            "Description": "OpenID Connect issuer URL, compared exactly with a token's iss.",
        },
        "OidcClientId": text(
            "", "Client id an OIDC token must carry (empty = any client of the issuer)."
        ),
    }
    return {
        "ExistingUserPoolId": text(
            "", "Use this Cognito user pool instead of creating one (empty = create)."
        ),
        "ExistingUserPoolClientId": text(
            "", "Use this app client of the user pool instead of creating one (empty = create)."
        ),
        "ExistingIdentityPoolId": text(
            "", "Use this Cognito identity pool instead of creating one (empty = create)."
        ),
        "ExistingAuthRoleName": text(
            "",
            "Name of the existing identity pool's authenticated role; it is granted"
            " appsync:GraphQL on the fields of models that allow identityPool. Needed with"
            " ExistingIdentityPoolId.",
        ),
        **(oidc if uses_oidc else {}),
        **(
            {
                "ApiKeyExpiresInDays": {
                    "Type": "Number",
                    "Default": schema.modes.api_key_expires_in_days,
                    "MinValue": 1,
                    "MaxValue": 365,
                    "Description": (
                        "Days the API key (allow.public_api_key) lasts from the deploy that sets"
                        " this value; deploy another value to renew it."
                    ),
                }
            }
            if uses_api_key(schema)
            else {}
        ),
        "IamAccess": {
            **text(
                "all",
                "IAM principals with no Cognito identity (backend roles): all (Amplify's default),"
                " roles (only IamAdminRoles), none.",
            ),
            "AllowedValues": ["all", "roles", "none"],
        },
        "IamAdminRoles": text(
            "", "Comma list of role ARNs or names admitted when IamAccess is roles."
        ),
        "ListMaxPages": {
            "Type": "Number",
            "Default": 10,
            "MinValue": 1,
            "Description": "DynamoDB pages a list may read to fill one page of matching items.",
        },
        "LogLevel": {
            **text(
                "INFO",
                "Lambda's application log level (LoggingConfig) and Powertools' level: Lambda"
                " drops records below it, whatever the code asks.",
            ),
            "AllowedValues": list(LOG_LEVELS),
        },
        "LogRetentionInDays": {
            "Type": "Number",
            "Default": 30,
            "AllowedValues": [
                1,
                3,
                5,
                7,
                14,
                30,
                60,
                90,
                120,
                150,
                180,
                365,
                400,
                545,
                731,
                1827,
                3653,
            ],
        },
        "TableRemovalPolicy": {
            **text(
                "Retain",
                "What happens to the DynamoDB tables (and their data) when the stack deletes them.",
            ),
            "AllowedValues": ["Retain", "Delete"],
        },
        "TableDeletionProtection": {
            **text("false", "DynamoDB deletion protection on every table."),
            "AllowedValues": ["true", "false"],
        },
        "CognitoRemovalPolicy": {
            **text(
                "Retain",
                "What happens to the user pool and identity pool (every user and identity id)"
                " when the stack deletes or replaces them.",
            ),
            "AllowedValues": ["Retain", "Delete"],
        },
        "UserPoolDeletionProtection": {
            **text("ACTIVE", "Cognito deletion protection on the user pool."),
            "AllowedValues": ["ACTIVE", "INACTIVE"],
        },
        "QueryDepthLimit": {
            "Type": "Number",
            "Default": DEFAULT_QUERY_DEPTH_LIMIT,
            "MinValue": 0,
            "MaxValue": 75,
            "Description": "AppSync refuses queries nested deeper than this (0 = no limit).",
        },
        "ResolverCountLimit": {
            "Type": "Number",
            "Default": DEFAULT_RESOLVER_COUNT_LIMIT,
            "MinValue": 0,
            "MaxValue": 10000,
            "Description": (
                "AppSync refuses requests that would run more resolvers than this (0 = AppSync's"
                " own limit, 10000)."
            ),
        },
    }


def _conditions(schema: Schema, uses_oidc: bool) -> dict[str, Any]:
    conditions: dict[str, Any] = {
        "CreateUserPool": equals(ref("ExistingUserPoolId"), ""),
        "CreateUserPoolClient": equals(ref("ExistingUserPoolClientId"), ""),
        "CreateIdentityPool": equals(ref("ExistingIdentityPoolId"), ""),
        "HasExistingAuthRole": not_(equals(ref("ExistingAuthRoleName"), "")),
    }
    if _has_identity_pool_fields(schema):
        conditions["UseExistingAuthRole"] = and_(
            not_(condition("CreateIdentityPool")), condition("HasExistingAuthRole")
        )
    if uses_oidc:
        conditions["HasOidcClientId"] = not_(equals(ref("OidcClientId"), ""))
    return conditions


_COGNITO_REMOVAL = {
    "DeletionPolicy": ref("CognitoRemovalPolicy"),
    "UpdateReplacePolicy": ref("CognitoRemovalPolicy"),
}


def _cognito() -> dict[str, Any]:
    return {
        "UserPool": {
            "Type": "AWS::Cognito::UserPool",
            "Condition": "CreateUserPool",
            **_COGNITO_REMOVAL,
            "Properties": {
                "UserPoolName": sub("${AWS::StackName}-users"),
                "DeletionProtection": ref("UserPoolDeletionProtection"),
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
                "Schema": [
                    {
                        "Name": "email",
                        "AttributeDataType": "String",
                        "Required": True,
                        "Mutable": True,
                    }
                ],
                "Policies": {
                    "PasswordPolicy": {
                        "MinimumLength": 8,
                        "RequireLowercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                        "RequireUppercase": True,
                    }
                },
                "AccountRecoverySetting": {
                    "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
                },
                "MfaConfiguration": "OFF",
            },
        },
        "UserPoolClient": {
            "Type": "AWS::Cognito::UserPoolClient",
            "Condition": "CreateUserPoolClient",
            "Properties": {
                "UserPoolId": _POOL_ID,
                "ClientName": "web",
                "GenerateSecret": False,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "PreventUserExistenceErrors": "ENABLED",
            },
        },
        "IdentityPool": {
            "Type": "AWS::Cognito::IdentityPool",
            "Condition": "CreateIdentityPool",
            **_COGNITO_REMOVAL,
            "Properties": {
                "AllowUnauthenticatedIdentities": True,
                "CognitoIdentityProviders": [
                    {
                        "ClientId": if_(
                            "CreateUserPoolClient",
                            ref("UserPoolClient"),
                            ref("ExistingUserPoolClientId"),
                        ),
                        "ProviderName": sub(
                            "cognito-idp.${AWS::Region}.amazonaws.com/${PoolId}",
                            {"PoolId": _POOL_ID},
                        ),
                    }
                ],
            },
        },
        "AuthenticatedRole": _identity_pool_role("authenticated"),
        "GuestRole": _identity_pool_role("unauthenticated"),
        "IdentityPoolRoles": {
            "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
            "Condition": "CreateIdentityPool",
            "Properties": {
                "IdentityPoolId": ref("IdentityPool"),
                "Roles": {
                    "authenticated": get_att("AuthenticatedRole.Arn"),
                    "unauthenticated": get_att("GuestRole.Arn"),
                },
            },
        },
    }


def _identity_pool_role(amr: str) -> dict[str, Any]:
    """An identity-pool role: assumable only by identities of our pool with the given `amr`."""
    return {
        "Type": "AWS::IAM::Role",
        "Condition": "CreateIdentityPool",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {
                                "cognito-identity.amazonaws.com:aud": ref("IdentityPool")
                            },
                            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
                        },
                    }
                ],
            },
        },
    }


def _has_identity_pool_fields(schema: Schema) -> bool:
    return bool(identity_pool_grants(schema))


def _graphql_policy(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """appsync:GraphQL on exactly these (type, field) pairs of the API."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "appsync:GraphQL",
                # Ref of the API is its ARN (arn:...:apis/ID); GetAtt ApiId trips cfn-lint on
                # SAM source.
                "Resource": [
                    sub(
                        f"${{GraphQLApi}}/types/{type_name}/"
                        + ("*" if field == "*" else f"fields/{field}")
                    )
                    for type_name, field in fields
                ],
            }
        ],
    }


def _role_policy(condition_name: str, role: Tag, document: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::RolePolicy",
        "Condition": condition_name,
        "Properties": {
            "RoleName": role,
            "PolicyName": "appsync-graphql",
            "PolicyDocument": document,
        },
    }


def _auth_role_policies(schema: Schema) -> dict[str, Any]:
    policies: dict[str, Any] = {}
    fields = identity_pool_grants(schema)
    if fields:  # else nothing allows identityPool: the authenticated role gets no API access
        document = _graphql_policy(fields)
        policies["AuthRoleGraphQLPolicy"] = _role_policy(
            "CreateIdentityPool", ref("AuthenticatedRole"), document
        )
        policies["ExistingAuthRoleGraphQLPolicy"] = _role_policy(
            "UseExistingAuthRole", ref("ExistingAuthRoleName"), document
        )
    guest_fields = guest_grants(schema)
    if guest_fields:  # allow.guest(): the unauthenticated role may call exactly these fields
        policies["GuestRoleGraphQLPolicy"] = _role_policy(
            "CreateIdentityPool", ref("GuestRole"), _graphql_policy(guest_fields)
        )
    return policies


def _table(schema: Schema, model: Model) -> dict[str, Any]:
    # Amplify's key schema, attribute definitions and GSIs (tables.py), so a table Amplify made
    # can be served by us and the other way round.
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": ref("TableRemovalPolicy"),
        "UpdateReplacePolicy": ref("TableRemovalPolicy"),
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            **table_layout(schema, model).as_dynamodb(),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "DeletionProtectionEnabled": ref("TableDeletionProtection"),
        },
    }


def _environment(schema: Schema, uses_oidc: bool) -> dict[str, Any]:
    """The environment of the data Lambda, and of every custom function (whose FunctionApi
    serves the models' items with the data Lambda's own code and settings)."""
    models = list(schema.models.values())
    variables: dict[str, Any] = {table_env_var(m.name): ref(table_logical_id(m)) for m in models}
    variables |= {
        "USER_POOL_ID": _POOL_ID,
        "USER_POOL_CLIENT_IDS": _CLIENT_ID,
        "IDENTITY_POOL_ID": _IDENTITY_POOL_ID,
        "AUTH_ROLE_ARN": if_(
            "CreateIdentityPool",
            get_att("AuthenticatedRole.Arn"),
            if_(
                "HasExistingAuthRole",
                sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}",
                    {"Name": ref("ExistingAuthRoleName")},
                ),
                "",
            ),
        ),
        "UNAUTH_ROLE_ARN": if_("CreateIdentityPool", get_att("GuestRole.Arn"), ""),
    }
    if uses_oidc:
        variables |= {"OIDC_ISSUER": ref("OidcIssuer"), "OIDC_CLIENT_IDS": ref("OidcClientId")}
    variables |= {
        "IAM_ACCESS": ref("IamAccess"),
        "IAM_ADMIN_ROLES": ref("IamAdminRoles"),
        NEXT_TOKEN_SECRET_ARN: ref("NextTokenSecret"),
        "LIST_MAX_PAGES": ref("ListMaxPages"),
        "POWERTOOLS_SERVICE_NAME": "appsync-data",
        "POWERTOOLS_METRICS_NAMESPACE": "AppSyncData",
        # Lambda's ApplicationLogLevel outranks it; both follow the one parameter.
        "POWERTOOLS_LOG_LEVEL": ref("LogLevel"),
    }
    return variables


def _table_policies(schema: Schema) -> list[dict[str, Any]]:
    """DynamoDB on the schema's tables only, and only the requests store.py makes; GSIs read
    only, and only on tables that have them. The nextToken key: this one secret."""
    models = list(schema.models.values())
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": list(DATA_FUNCTION_ACTIONS),
            "Resource": [get_att(f"{table_logical_id(m)}.Arn") for m in models],
        }
    ]
    indexed = [m for m in models if table_layout(schema, m).indexes]
    if indexed:
        statements.append(
            {
                "Effect": "Allow",
                "Action": list(INDEX_ACTIONS),
                "Resource": [sub(f"${{{table_logical_id(m)}.Arn}}/index/*") for m in indexed],
            }
        )
    return [
        {"Statement": statements},
        {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": ref("NextTokenSecret")}},
    ]


def _python_function(
    schema: Schema, uses_oidc: bool, *, logical_id: str, suffix: str, handler: str
) -> dict[str, Any]:
    """A Python Lambda of this app and its log group: the data Lambda, or a custom operation's
    function, alike in runtime, layer, SnapStart alias, logging, tracing, timeout and access."""
    return {
        f"{logical_id}Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub(f"/aws/lambda/${{AWS::StackName}}-{suffix}"),
                "RetentionInDays": ref("LogRetentionInDays"),
            },
        },
        logical_id: {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "FunctionName": sub(f"${{AWS::StackName}}-{suffix}"),
                "CodeUri": "functions/",
                "Handler": handler,
                "Runtime": "python3.13",
                "Architectures": ["arm64"],
                "MemorySize": 512,
                "Timeout": FUNCTION_TIMEOUT_SECONDS,
                "Tracing": "Active",
                "Layers": [ref("RuntimeLayer")],
                "AutoPublishAlias": "live",
                "AutoPublishAliasAllProperties": True,
                "VersionDeletionPolicy": "Delete",
                "SnapStart": {"ApplyOn": "PublishedVersions"},
                "LoggingConfig": {
                    "LogFormat": "JSON",
                    "LogGroup": ref(f"{logical_id}Logs"),
                    "ApplicationLogLevel": ref("LogLevel"),
                },
                "Environment": {"Variables": _environment(schema, uses_oidc)},
                "Policies": _table_policies(schema),
            },
        },
    }


def _lambda(schema: Schema, uses_oidc: bool) -> dict[str, Any]:
    functions: dict[str, Any] = {}
    for name in schema.function_names():
        # functions/NAME/app.py's `handler` (FunctionApi.lambda_handler()). Every model's table:
        # the code reaches any model through `call.models`, and the schema declares no subset.
        functions |= _python_function(
            schema,
            uses_oidc,
            logical_id=function_logical_id(name),
            suffix=name.replace("_", "-"),
            handler=f"{name}.app.handler",
        )
    authorizer = lambda_authorizer(schema)
    if authorizer is not None and authorizer not in schema.function_names():
        # functions/NAME/app.py's `handler`: AppSync's authorizer event in, its decision out.
        # SAM adds AppSync's lambda:InvokeFunction on the alias, for this API only (SourceArn).
        functions |= _python_function(
            schema,
            uses_oidc,
            logical_id=function_logical_id(authorizer),
            suffix=authorizer.replace("_", "-"),
            handler=f"{authorizer}.app.handler",
        )
    return {
        "NextTokenSecret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Description": sub("${AWS::StackName} nextToken signing key"),
                "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True},
            },
        },
        "RuntimeLayer": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {
                "Description": "appsync_data library and its pinned runtime dependencies",
                "ContentUri": "layers/runtime/",
                "CompatibleRuntimes": ["python3.13"],
                "CompatibleArchitectures": ["arm64"],
                "LayerName": sub("${AWS::StackName}-runtime"),
                "PublishLambdaVersion": True,
            },
            "Metadata": {"BuildMethod": "makefile", "BuildArchitecture": "arm64"},
        },
        **_python_function(
            schema,
            uses_oidc,
            logical_id=FUNCTION_LOGICAL_ID,
            suffix="data",
            handler="data.app.handler",
        ),
        **functions,
    }


# CloudFormation cannot add days to the deploy time: this inline function does, once per value of
# ApiKeyExpiresInDays, rounded to the hour as AppSync wants (up for one day, so never less).
_EXPIRY_CODE = """\
import json, time, urllib.request


def handler(event, context):
    data, status = {}, "SUCCESS"
    try:
        if event["RequestType"] != "Delete":
            days = int(event["ResourceProperties"]["Days"])
            end = int(time.time()) + days * 86400 + (3599 if days == 1 else 0)
            data["Expires"] = end // 3600 * 3600
    except Exception:
        status = "FAILED"
    body = {
        "Status": status,
        "Reason": "see the function's log",
        "PhysicalResourceId": "api-key-expiry",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }
    request = urllib.request.Request(
        event["ResponseURL"], data=json.dumps(body).encode(), method="PUT",
        headers={"Content-Type": ""},
    )
    urllib.request.urlopen(request, timeout=10).close()
"""
API_KEY_LOGICAL_ID = "GraphQLApiPublicKey"


def _api_key() -> dict[str, Any]:
    """The API key of allow.public_api_key() rules, expiring ApiKeyExpiresInDays after the deploy
    that set that value."""
    return {
        "ApiKeyExpiryFunctionLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub("/aws/lambda/${AWS::StackName}-api-key-expiry"),
                "RetentionInDays": ref("LogRetentionInDays"),
            },
        },
        "ApiKeyExpiryFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "FunctionName": sub("${AWS::StackName}-api-key-expiry"),
                "InlineCode": _EXPIRY_CODE,
                "Handler": "index.handler",
                "Runtime": "python3.13",
                "Architectures": ["arm64"],
                "MemorySize": 128,
                "Timeout": 30,
                "LoggingConfig": {"LogGroup": ref("ApiKeyExpiryFunctionLogs")},
            },
        },
        "ApiKeyExpiry": {
            "Type": "Custom::ApiKeyExpiry",
            "Properties": {
                "ServiceToken": get_att("ApiKeyExpiryFunction.Arn"),
                "Days": ref("ApiKeyExpiresInDays"),
            },
        },
        API_KEY_LOGICAL_ID: {
            "Type": "AWS::AppSync::ApiKey",
            "Properties": {
                "ApiId": _API_ID,
                "Description": "allow.public_api_key() callers",
                "Expires": get_att("ApiKeyExpiry.Expires"),
            },
        },
    }


def _auth_config(mode: str, *, default: bool, schema: Schema | None = None) -> dict[str, Any]:
    """The provider block of one auth mode (IAM needs none)."""
    if mode == USER_POOLS:
        pool: dict[str, Any] = {}
        if default:  # AppSync wants a DefaultAction only on the default user-pool mode
            pool["DefaultAction"] = "ALLOW"
        pool |= {
            "UserPoolId": _POOL_ID,
            "AwsRegion": ref("AWS::Region"),
            # Tokens of other app clients of the pool: 401 at AppSync, as the local server does.
            "AppIdClientRegex": _CLIENT_ID,
        }
        return {"UserPool": pool}
    if mode == OIDC:
        return {
            "OpenIDConnect": {
                "Issuer": ref("OidcIssuer"),
                "ClientId": if_("HasOidcClientId", ref("OidcClientId"), NO_VALUE),
            }
        }
    if mode == LAMBDA and schema is not None:
        name = lambda_authorizer(schema)
        assert name is not None
        return {
            "LambdaAuthorizer": {
                "AuthorizerUri": ref(f"{function_logical_id(name)}.Alias"),
                "AuthorizerResultTtlInSeconds": schema.modes.lambda_ttl_seconds,
            }
        }
    return {}


def api_modes(schema: Schema) -> tuple[str, tuple[str, ...]]:
    """sdl.api_auth_modes, plus API_KEY (allow.public_api_key) and AWS_LAMBDA (a Lambda
    authorizer) as additional providers when the schema uses them."""
    default, additional = api_auth_modes(schema)
    extra = [API_KEY] if uses_api_key(schema) else []
    extra += [LAMBDA] if lambda_authorizer(schema) is not None else []
    return default, tuple(dict.fromkeys([*additional, *(m for m in extra if m != default)]))


def _resolvers(schema: Schema) -> dict[str, dict[str, Any]]:
    """Every field with a resolver: Query and Mutation fields through invokeData, relationship
    fields through batchInvokeData, subscriptions through invokeData (the `listen` decision)
    then their filter, custom operations through their function's invoke step."""
    resolvers: dict[str, dict[str, Any]] = {"Query": {}, "Mutation": {}}
    for model in schema.models.values():
        for field in query_fields(model):
            resolvers["Query"][field] = {"Pipeline": [RESOLVER_FUNCTION]}
        for field in mutation_fields(model):
            resolvers["Mutation"][field] = {"Pipeline": [RESOLVER_FUNCTION]}
    for op in schema.operations.values():
        resolvers[op.operation_type][op.name] = {
            "Pipeline": [function_resolver_function(op.function_name)]
        }
    for parent, field_name, _related in relationship_fields(schema):
        resolvers.setdefault(parent.name, {})[field_name] = {"Pipeline": [BATCH_RESOLVER_FUNCTION]}
    subscriptions = {
        field: {
            "Pipeline": [RESOLVER_FUNCTION],
            "Runtime": APPSYNC_JS,
            "CodeUri": SUBSCRIPTION_RESOLVER_CODE,
        }
        for model in schema.models.values()
        for field in api_names(model).subscriptions()
    }
    if subscriptions:
        resolvers["Subscription"] = subscriptions
    return {type_name: fields for type_name, fields in resolvers.items() if fields}


def _api(schema: Schema) -> dict[str, Any]:
    default, additional = api_modes(schema)
    auth = {"Type": default, **_auth_config(default, default=True, schema=schema)}
    auth["Additional"] = [
        {"Type": m, **_auth_config(m, default=False, schema=schema)} for m in additional
    ]
    data_sources = {
        "DataLambda": {
            "FunctionArn": ref("DataFunction.Alias"),
            "ServiceRoleArn": get_att(f"{APPSYNC_INVOKE_ROLE}.Arn"),
        }
    }
    functions: dict[str, Any] = {
        RESOLVER_FUNCTION: {
            "Runtime": APPSYNC_JS,
            "DataSource": "DataLambda",
            "CodeUri": RESOLVER_CODE,
        }
    }
    if relationship_fields(schema):
        functions[BATCH_RESOLVER_FUNCTION] = {
            "Runtime": APPSYNC_JS,
            "DataSource": "DataLambda",
            "CodeUri": BATCH_RESOLVER_CODE,
            # The local server's batch size: one Lambda call per this many parents, both places.
            "MaxBatchSize": DEFAULT_MAX_BATCH_SIZE,
        }
    for name in schema.function_names():
        data_sources[function_data_source(name)] = {
            "FunctionArn": ref(f"{function_logical_id(name)}.Alias"),
            "ServiceRoleArn": get_att(f"{APPSYNC_INVOKE_ROLE}.Arn"),
        }
        # Amplify's function event; the data Lambda's error mapping (the same envelopes).
        functions[function_resolver_function(name)] = {
            "Runtime": APPSYNC_JS,
            "DataSource": function_data_source(name),
            "CodeUri": FUNCTION_RESOLVER_CODE,
        }
    return {
        "Type": "AWS::Serverless::GraphQLApi",
        "Properties": {
            "Name": sub("${AWS::StackName}-api"),
            "SchemaUri": "schema.graphql",
            "XrayEnabled": True,
            "QueryDepthLimit": ref("QueryDepthLimit"),
            "ResolverCountLimit": ref("ResolverCountLimit"),
            "Logging": {
                "FieldLogLevel": "ERROR",
                "ExcludeVerboseContent": True,
                "CloudWatchLogsRoleArn": get_att(f"{APPSYNC_LOGS_ROLE}.Arn"),
            },
            "Auth": auth,
            "DataSources": {"Lambda": data_sources},
            "Functions": functions,
            "Resolvers": _resolvers(schema),
        },
    }


def _appsync_trust(source_arn: Tag) -> dict[str, Any]:
    """A role only AppSync may assume, and only for an API of this account (confused deputy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "appsync.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")},
                    "ArnLike": {"aws:SourceArn": source_arn},
                },
            }
        ],
    }


def _appsync_service(schema: Schema) -> dict[str, Any]:
    """AppSync's own log group and its service roles. Declared here rather than left to SAM, whose
    roles trust any caller of appsync.amazonaws.com and whose log group never expires."""
    return {
        "GraphQLApiLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub(
                    "/aws/appsync/apis/${ApiId}",
                    {"ApiId": _API_ID},
                ),
                "RetentionInDays": ref("LogRetentionInDays"),
            },
        },
        APPSYNC_INVOKE_ROLE: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _appsync_trust(ref(API_LOGICAL_ID)),
                "Policies": [
                    {
                        "PolicyName": "invoke-functions",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "lambda:InvokeFunction",
                                    # The published aliases only, never $LATEST.
                                    "Resource": [
                                        ref(f"{FUNCTION_LOGICAL_ID}.Alias"),
                                        *(
                                            ref(f"{function_logical_id(n)}.Alias")
                                            for n in schema.function_names()
                                        ),
                                    ],
                                }
                            ],
                        },
                    }
                ],
            },
        },
        APPSYNC_LOGS_ROLE: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": _appsync_trust(
                    sub("arn:${AWS::Partition}:appsync:${AWS::Region}:${AWS::AccountId}:apis/*")
                ),
                "ManagedPolicyArns": [
                    sub(
                        "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                        "AWSAppSyncPushToCloudWatchLogs"
                    )
                ],
            },
        },
    }


def _outputs(schema: Schema, uses_oidc: bool) -> dict[str, Any]:
    outputs: dict[str, Any] = {
        "GraphQLUrl": {
            "Description": "AppSync GraphQL endpoint",
            "Value": get_att("GraphQLApi.GraphQLUrl"),
        },
        "GraphQLApiArn": {"Value": ref("GraphQLApi")},
        "Region": {"Value": ref("AWS::Region")},
        "UserPoolId": {"Value": _POOL_ID},
        "UserPoolClientId": {"Value": _CLIENT_ID},
        "IdentityPoolId": {"Value": _IDENTITY_POOL_ID},
    }
    if uses_oidc:
        outputs["OidcIssuer"] = {"Value": ref("OidcIssuer")}
    if uses_api_key(schema):
        # amplify_outputs.json's data.api_key (`outputs --stack`).
        outputs["GraphQLApiKey"] = {"Value": get_att(f"{API_KEY_LOGICAL_ID}.ApiKey")}
        outputs["GraphQLApiKeyId"] = {"Value": get_att(f"{API_KEY_LOGICAL_ID}.ApiKeyId")}
    return outputs


def template_data(schema: Schema) -> dict[str, Any]:
    """The template for `schema` as data (what template.yaml holds)."""
    models = list(schema.models.values())
    uses_oidc = "oidc" in schema.providers()
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
        "Metadata": {"cfn-lint": {"config": {"ignore_checks": ["E6101"]}}},
        "Description": (
            f"appsync-data: AppSync GraphQL API ({', '.join(m.name for m in models)}) served by one"
            " Python Lambda resolver with DynamoDB, Cognito user pool and identity pool."
        ),
        "Parameters": _parameters(schema, uses_oidc),
        "Conditions": _conditions(schema, uses_oidc),
        "Resources": {
            **_cognito(),
            **_auth_role_policies(schema),
            **{table_logical_id(m): _table(schema, m) for m in models},
            **_lambda(schema, uses_oidc),
            API_LOGICAL_ID: _api(schema),
            **(_api_key() if uses_api_key(schema) else {}),
            **_appsync_service(schema),
        },
        "Outputs": _outputs(schema, uses_oidc),
    }


def render_template(schema: Schema) -> str:
    """The whole template.yaml for `schema`."""
    comments = dict(_COMMENTS)
    if schema.models:
        first_table = table_logical_id(next(iter(schema.models.values())))
        comments[f"Resources.{first_table}"] = "--- Data: one table per model ---"
    if relationship_fields(schema):
        comments[f"Resources.{API_LOGICAL_ID}.Properties.Functions.{BATCH_RESOLVER_FUNCTION}"] = (
            "Relationship fields: AppSync's BatchInvoke, one Lambda call per MaxBatchSize parents\n"
            "(the local server's batch size too)."
        )
    if schema.function_names():
        first = function_logical_id(schema.function_names()[0])
        comments[f"Resources.{first}Logs"] = (
            "--- Custom operations: one Lambda per function under functions/, like the data\n"
            "Lambda; its code runs only after the operation's rules admitted the caller ---"
        )
    if _has_identity_pool_fields(schema):
        comments["Resources.AuthRoleGraphQLPolicy"] = (
            'allow.authenticated("identityPool"): the authenticated role may call these fields'
            " only.\nTwo resources, not one with !If: cfn-lint then knows the role name is never"
            " empty."
        )
    return cfn_yaml.dump(template_data(schema), header=_HEADER, comments=comments)
