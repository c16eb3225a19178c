"""The data Lambda: every model's getX/listXs/createX/updateX/deleteX, from one schema."""

from appsync_data.api import DataApi

from data.resource import schema

handler = DataApi(schema).handle
