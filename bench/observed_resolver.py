"""A second yardstick: the minimal resolver plus the observability DESIGN.md requires of every call.

minimal_resolver.py's handler, unchanged, wrapped in what "every call is logged (Powertools Logger,
JSON, correlation id) and traced (Powertools Tracer / X-Ray)" costs by itself: the Lambda context in
the log, one JSON log line with the same keys as ours, one EMF metric flushed per call, botocore's
X-Ray subsegment and one annotated subsegment around the operation. No routing framework, no
authorization, no PynamoDB: the gap between this and the data Lambda is our own code.
"""

from __future__ import annotations

from typing import Any

import minimal_resolver
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="appsync-data", json_deserializer=lambda message: message)
tracer = Tracer(service="appsync-data", patch_modules=["botocore"])
metrics = Metrics(namespace="AppSyncData")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    field = event["info"]["fieldName"]
    logger.set_correlation_id(event["request"]["headers"].get("x-amzn-trace-id"))
    logger.append_keys(field=field, caller_sub=event["identity"]["sub"], decision="allow")
    metrics.add_dimension(name="field", value=field)
    with tracer.provider.in_subsegment(f"## {field}") as subsegment:
        subsegment.put_annotation("field", field)
        metrics.add_metric(name="Allowed", unit=MetricUnit.Count, value=1)
        result = minimal_resolver.handler(event, context)
    logger.info("done")
    return result
