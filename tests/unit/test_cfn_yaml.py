"""cfn_yaml: CloudFormation YAML from data, short tags readable, reasons placed above their keys."""

from __future__ import annotations

import pytest
from appsync_data.generate.cfn_yaml import dump, get_att, if_, ref, sub
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = {
    "Resources": {
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Role": get_att("Role.Arn"),
                "Description": "x" * 120 + " and more words than fit on one line of the template",
                "Environment": {
                    "Variables": {
                        "A": if_("C", ref("X"), ""),
                        "B": sub("${AWS::StackName}-b", {"N": ref("Y")}),
                    }
                },
                "Timeout": 25,
            },
        }
    }
}


def test_short_tags_parse_back_to_the_intrinsics() -> None:
    text = dump(TEMPLATE)
    assert "Role: !GetAtt Role.Arn" in text
    assert "A: !If [C, !Ref X, '']" in text
    parsed = yaml_parse(text)["Resources"]["Fn"]["Properties"]
    assert parsed["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert parsed["Environment"]["Variables"]["A"] == {"Fn::If": ["C", {"Ref": "X"}, ""]}
    assert parsed["Environment"]["Variables"]["B"] == {
        "Fn::Sub": ["${AWS::StackName}-b", {"N": {"Ref": "Y"}}]
    }
    assert parsed["Description"] == TEMPLATE["Resources"]["Fn"]["Properties"]["Description"]


def test_comments_sit_above_their_key_and_a_lost_one_is_an_error() -> None:
    text = dump(
        TEMPLATE,
        header="GENERATED",
        comments={"Resources.Fn.Properties.Timeout": "AppSync stops at 30 s."},
    )
    lines = text.splitlines()
    assert lines[0] == "# GENERATED"
    assert lines[lines.index("      Timeout: 25") - 1] == "      # AppSync stops at 30 s."
    with pytest.raises(ValueError, match=r"Resources\.Fn\.Properties\.Timeout2"):
        dump(TEMPLATE, comments={"Resources.Fn.Properties.Timeout2": "lost"})
