"""The real Twilio samples (tests/data/samples) as the fields Twilio posts.

tests/ingest/test_samples.py checks that each payload here is copied verbatim from its file.
"""

# debugger-11200-docs-example.txt: the docs' table, whose `request` is a placeholder...
DOCS_PAYLOAD_HEAD = """{
  "resource_sid":"CAxxxxxxxx",
  "service_sid":null,
  "error_code":"11200",
  "more_info":{
    "msg":"An attempt to retrieve content from https://yyy.zzz returned the HTTP status code 404",
    "Msg":"An attempt to retrieve content from https://yyy.zzz returned the HTTP status code 404",
    "sourceComponent":"12000",
    "ErrorCode":"11200",
    "httpResponse":"404",
    "url":"https://yyy.zzz",
    "LogLevel":"ERROR"
  },
  "webhook":{
     "type":"application/json",
"""
DOCS_TABLE_PAYLOAD = (
    DOCS_PAYLOAD_HEAD
    + """     "request": <Specific Twilio Request Details to your Webhook here as a JSON Object>
  }
}"""
)
# ...and its curl command, where `request` is an empty object.
DOCS_CURL_PAYLOAD = (
    DOCS_PAYLOAD_HEAD
    + """     "request": {}  }
}"""
)
DOCS_FIELDS = {
    "AccountSid": "ACxxxxxxxxxxxxxxxxxxxxxxxx",
    "Level": "ERROR",
    "ParentAccountSid": "",
    "PayloadType": "application/json",
    "Sid": "NOxxxxx",
    "Timestamp": "2020-01-01T23:28:54Z",
}
DOCS_TABLE = {**DOCS_FIELDS, "Payload": DOCS_TABLE_PAYLOAD}
DOCS_CURL = {**DOCS_FIELDS, "Payload": DOCS_CURL_PAYLOAD}

# debugger-30007-real-minimal.txt
REAL_30007 = {
    "ParentAccountSid": "ACffcbcc79af64899e720a5076b4e6b217",
    "Payload": '{"resource_sid":"SMba2e5f029d1b1630bbf01232ff9b814c",'
    '"service_sid":"SM736f35d231bd230a80c8929e50a2c24c","error_code":"30007"}',
    "PayloadType": "application/json",
    "AccountSid": "AC9a5a39b6ac47a0061bb00da10efd8264",
    "Timestamp": "2021-10-12T23:43:53.289Z",
    "Level": "ERROR",
    "Sid": "NO1436992f15326b2603d79db507cedba2",
}

# debugger-32009-warning-sip.txt (the fixture carries only these two fields)
SIP_32009 = {
    "AccountSid": "TWILIO_ACCOUNT_SID",
    "Payload": '{"resource_sid":"CA8339b5eb12c2b5bcd3e5e21dd836855a","service_sid":null,'
    '"error_code":"32009","more_info":{"Msg":"Your TwiML tried to Dial a Twilio SIP Registered '
    'User that is not currently registered","ErrorCode":"32009,Your TwiML tried to Dial a Twilio '
    'SIP Registered User that is not currently registered","LogLevel":"WARNING"},"webhook":'
    '{"type":"application/json","request":{"url":"sip:landline@direct-futel-prod.sip.twilio.com",'
    '"method":"INVITE","headers":{},"parameters":{"To":"sip:landline@direct-futel-prod.sip.twilio'
    '.com"}},"response":{"status_code":null,"headers":{},"body":null}}}',
}

# usage-trigger-totalprice-fixture.txt, its first trigger (not recurring)
CREDIT_OVERDRAFT = {
    "AccountSid": "AC626dc6e5b03904e6270f353f4a2f068f",
    "DateFired": "Mon, 21 Apr 2014 09:14:35 +0000",
    "UsageTriggerSid": "UTcredit_overdraft",
    "CurrentValue": "50",
    "IdempotencyToken": "AC626dc6e5b03904e6270f353f4a2f068f-FIRES-UTcredit_overdraft-2014-04-21",
    "TriggerBy": "quantity",
    "TriggerValue": "1000",
    "UsageCategory": "totalprice",
    "UsageRecordUri": "/2010-04-01/Accounts/AC626dc6e5b03904e6270f353f4a2f068f/Usage/Records/"
    "Daily?Category=totalprice",
    "Recurring": "",
}
# usage-trigger-totalprice-fixture.txt, its second trigger (daily)
DAILY_THRESHOLD = {
    "AccountSid": "AC626dc6e5b03904e6270f353f4a2f068f",
    "DateFired": "Mon, 21 Apr 2014 09:14:35 +0000",
    "UsageTriggerSid": "UTdaily_credit_threshold",
    "CurrentValue": "12",
    "IdempotencyToken": "AC626dc6e5b03904e6270f353f4a2f068f-FIRES-UTdaily_credit_threshold-"
    "2014-04-21",
    "TriggerBy": "quantity",
    "TriggerValue": "5",
    "UsageCategory": "totalprice",
    "UsageRecordUri": "/2010-04-01/Accounts/AC626dc6e5b03904e6270f353f4a2f068f/Usage/Records/"
    "Daily?Category=totalprice",
    "Recurring": "daily",
}
