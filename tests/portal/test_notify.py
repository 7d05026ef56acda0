import json

import pytest
from django.core.cache import cache

from portal import notify


class FlakyBackend:
    sent = []
    fail = True

    def send(self, to, text):
        if FlakyBackend.fail:
            raise ConnectionError("gateway down")
        FlakyBackend.sent.append((to, text))


def test_send_once_sends_a_key_once_and_retries_after_a_failure(settings):
    cache.clear()
    settings.NOTIFY_BACKEND = "tests.portal.test_notify.FlakyBackend"
    FlakyBackend.sent, FlakyBackend.fail = [], True
    key = notify.marker_key("t", 1, to="13812345678")
    assert notify.send_once(key, "13812345678", "你好") is False  # gateway down: not marked sent
    FlakyBackend.fail = False
    assert notify.send_once(key, "13812345678", "你好") is True
    assert notify.send_once(key, "13812345678", "你好") is False
    assert FlakyBackend.sent == [("13812345678", "你好")]


def test_marker_keys_hold_no_phone_number():
    assert "13812345678" not in notify.marker_key("code", 7, to="13812345678")


def test_sms_gateway_example_signs_its_request(settings):
    settings.SMS_GATEWAY_URL = "https://sms.example.cn/send"
    settings.SMS_GATEWAY_KEY = "k"
    settings.SMS_GATEWAY_SECRET = "s"
    request = notify.SmsGatewayBackend().build_request("13812345678", "您的诉求已办结")
    body = json.loads(request.data)
    assert body == {"phone": "13812345678", "sign_name": "社区服务", "content": "您的诉求已办结"}
    assert len(request.get_header("X-signature")) == 64


def test_sms_gateway_example_refuses_to_start_unconfigured(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        notify.SmsGatewayBackend()
