/**
 * One fully populated example of every Msg body the agent handles. Every field has a non-default
 * value (or an explicit default), so decodeMsg(encodeMsg(m)) must equal m exactly.
 */
import { requestMsg, responseMsg, errorMsg } from '../../../../agent/codec/msg.js';
import type { GetResp, UspMsg } from '../../../../agent/codec/types.js';

/** A GetResp like a real Device.DeviceInfo. read: `objects` objects of `perObject` parameters. */
export function typicalGetResp(objects = 5, perObject = 10): GetResp {
  return {
    reqPathResults: [
      {
        requestedPath: 'Device.DeviceInfo.',
        errCode: 0,
        errMsg: '',
        resolvedPathResults: Array.from({ length: objects }, (_, i) => ({
          resolvedPath: `Device.DeviceInfo.ProcessStatus.Process.${i + 1}.`,
          resultParams: Object.fromEntries(Array.from({ length: perObject }, (_, j) => [`Parameter${j}`, j % 3 === 0 ? `${1000 + i * j}` : `value-${i}-${j} with some text`])),
        })),
      },
    ],
  };
}

export function sampleMsgs(): [string, UspMsg][] {
  return [
    ['Get', requestMsg('get-1', { reqType: 'get', get: { paramPaths: ['Device.DeviceInfo.', 'Device.WiFi.SSID.*.SSID'], maxDepth: 2 } })],
    ['GetResp', responseMsg('get-1', { respType: 'getResp', getResp: typicalGetResp(2, 3) })],
    [
      'Set',
      requestMsg('set-1', {
        reqType: 'set',
        set: {
          allowPartial: true,
          updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings: [{ param: 'SSID', value: 'home', required: true }] }],
        },
      }),
    ],
    [
      'SetResp',
      responseMsg('set-1', {
        respType: 'setResp',
        setResp: {
          updatedObjResults: [
            {
              requestedPath: 'Device.WiFi.SSID.1.',
              operStatus: {
                operStatus: 'operSuccess',
                operSuccess: {
                  updatedInstResults: [
                    {
                      affectedPath: 'Device.WiFi.SSID.1.',
                      paramErrs: [{ param: 'Alias', errCode: 7012, errMsg: 'bad' }],
                      updatedParams: { SSID: 'home' },
                    },
                  ],
                },
              },
            },
            {
              requestedPath: 'Device.WiFi.SSID.2.',
              operStatus: {
                operStatus: 'operFailure',
                operFailure: {
                  errCode: 7021,
                  errMsg: 'required parameter failed',
                  updatedInstFailures: [{ affectedPath: 'Device.WiFi.SSID.2.', paramErrs: [{ param: 'SSID', errCode: 7013, errMsg: 'read-only' }] }],
                },
              },
            },
          ],
        },
      }),
    ],
    [
      'Add',
      requestMsg('add-1', {
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: 'Device.LocalAgent.Subscription.',
              paramSettings: [
                { param: 'ID', value: 'sub1', required: true },
                { param: 'Enable', value: 'true', required: false },
              ],
            },
          ],
        },
      }),
    ],
    [
      'AddResp',
      responseMsg('add-1', {
        respType: 'addResp',
        addResp: {
          createdObjResults: [
            {
              requestedPath: 'Device.LocalAgent.Subscription.',
              operStatus: {
                operStatus: 'operSuccess',
                operSuccess: {
                  instantiatedPath: 'Device.LocalAgent.Subscription.3.',
                  paramErrs: [{ param: 'Enable', errCode: 7012, errMsg: 'nope' }],
                  uniqueKeys: { ID: 'sub1', Alias: 'cpe-3' },
                },
              },
            },
            { requestedPath: 'Device.Foo.', operStatus: { operStatus: 'operFailure', operFailure: { errCode: 7026, errMsg: 'invalid path' } } },
          ],
        },
      }),
    ],
    ['Delete', requestMsg('del-1', { reqType: 'delete', delete: { allowPartial: true, objPaths: ['Device.LocalAgent.Subscription.3.'] } })],
    [
      'DeleteResp',
      responseMsg('del-1', {
        respType: 'deleteResp',
        deleteResp: {
          deletedObjResults: [
            {
              requestedPath: 'Device.LocalAgent.Subscription.*.',
              operStatus: {
                operStatus: 'operSuccess',
                operSuccess: {
                  affectedPaths: ['Device.LocalAgent.Subscription.3.'],
                  unaffectedPathErrs: [{ unaffectedPath: 'Device.LocalAgent.Subscription.1.', errCode: 7006, errMsg: 'denied' }],
                },
              },
            },
            { requestedPath: 'Device.X.', operStatus: { operStatus: 'operFailure', operFailure: { errCode: 7016, errMsg: 'gone' } } },
          ],
        },
      }),
    ],
    [
      'Operate',
      requestMsg('op-1', {
        reqType: 'operate',
        operate: { command: 'Device.Reboot()', commandKey: 'k1', sendResp: true, inputArgs: { Cause: 'RemoteReboot' } },
      }),
    ],
    [
      'OperateResp',
      responseMsg('op-1', {
        respType: 'operateResp',
        operateResp: {
          operationResults: [
            { executedCommand: 'Device.Reboot()', operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: { Status: 'ok' } } },
            { executedCommand: 'Device.IP.Diagnostics.IPPing()', operationResp: 'reqObjPath', reqObjPath: 'Device.LocalAgent.Request.4.' },
            { executedCommand: 'Device.X()', operationResp: 'cmdFailure', cmdFailure: { errCode: 7022, errMsg: 'failed' } },
          ],
        },
      }),
    ],
    [
      'GetSupportedDM',
      requestMsg('gsdm-1', {
        reqType: 'getSupportedDm',
        getSupportedDm: {
          objPaths: ['Device.'],
          firstLevelOnly: true,
          returnCommands: true,
          returnEvents: true,
          returnParams: true,
          returnUniqueKeySets: true,
        },
      }),
    ],
    [
      'GetSupportedDMResp',
      responseMsg('gsdm-1', {
        respType: 'getSupportedDmResp',
        getSupportedDmResp: {
          reqObjResults: [
            {
              reqObjPath: 'Device.',
              errCode: 0,
              errMsg: '',
              dataModelInstUri: 'urn:broadband-forum-org:tr-181-2-19-1',
              supportedObjs: [
                {
                  supportedObjPath: 'Device.LocalAgent.Subscription.{i}.',
                  access: 'OBJ_ADD_DELETE',
                  isMultiInstance: true,
                  supportedCommands: [{ commandName: 'Reboot()', inputArgNames: ['Cause'], outputArgNames: ['Status'], commandType: 'CMD_ASYNC' }],
                  supportedEvents: [{ eventName: 'Boot!', argNames: ['CommandKey', 'Cause'] }],
                  supportedParams: [{ paramName: 'Enable', access: 'PARAM_READ_WRITE', valueType: 'PARAM_BOOLEAN', valueChange: 'VALUE_CHANGE_ALLOWED' }],
                  divergentPaths: ['Device.X.1.'],
                  uniqueKeySets: [{ keyNames: ['ID'] }, { keyNames: ['Alias'] }],
                },
              ],
            },
          ],
        },
      }),
    ],
    ['GetInstances', requestMsg('gi-1', { reqType: 'getInstances', getInstances: { objPaths: ['Device.IP.Interface.'], firstLevelOnly: true } })],
    [
      'GetInstancesResp',
      responseMsg('gi-1', {
        respType: 'getInstancesResp',
        getInstancesResp: {
          reqPathResults: [
            {
              requestedPath: 'Device.IP.Interface.',
              errCode: 0,
              errMsg: '',
              currInsts: [{ instantiatedObjPath: 'Device.IP.Interface.1.', uniqueKeys: { Name: 'lan', Alias: 'cpe-1' } }],
            },
          ],
        },
      }),
    ],
    ['GetSupportedProtocol', requestMsg('gsp-1', { reqType: 'getSupportedProtocol', getSupportedProtocol: { controllerSupportedProtocolVersions: '1.3,1.4' } })],
    ['GetSupportedProtocolResp', responseMsg('gsp-1', { respType: 'getSupportedProtocolResp', getSupportedProtocolResp: { agentSupportedProtocolVersions: '1.0,1.1,1.2,1.3,1.4' } })],
    [
      'Notify event',
      requestMsg('n-1', {
        reqType: 'notify',
        notify: { subscriptionId: 'boot', sendResp: true, notification: 'event', event: { objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'LocalReboot', ParameterMap: '{}' } } },
      }),
    ],
    [
      'Notify valueChange',
      requestMsg('n-2', {
        reqType: 'notify',
        notify: { subscriptionId: 'vc', sendResp: false, notification: 'valueChange', valueChange: { paramPath: 'Device.WiFi.SSID.1.SSID', paramValue: 'x' } },
      }),
    ],
    [
      'Notify objCreation',
      requestMsg('n-3', {
        reqType: 'notify',
        notify: { subscriptionId: 'oc', sendResp: false, notification: 'objCreation', objCreation: { objPath: 'Device.NAT.PortMapping.2.', uniqueKeys: { Alias: 'cpe-2' } } },
      }),
    ],
    [
      'Notify objDeletion',
      requestMsg('n-4', {
        reqType: 'notify',
        notify: { subscriptionId: 'od', sendResp: false, notification: 'objDeletion', objDeletion: { objPath: 'Device.NAT.PortMapping.2.' } },
      }),
    ],
    [
      'Notify operComplete ok',
      requestMsg('n-5', {
        reqType: 'notify',
        notify: {
          subscriptionId: 'oc1',
          sendResp: true,
          notification: 'operComplete',
          operComplete: { objPath: 'Device.', commandName: 'Reboot()', commandKey: 'k', operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: { A: '1' } } },
        },
      }),
    ],
    [
      'Notify operComplete failure',
      requestMsg('n-6', {
        reqType: 'notify',
        notify: {
          subscriptionId: 'oc2',
          sendResp: true,
          notification: 'operComplete',
          operComplete: { objPath: 'Device.', commandName: 'X()', commandKey: '', operationResp: 'cmdFailure', cmdFailure: { errCode: 7023, errMsg: 'canceled' } },
        },
      }),
    ],
    [
      'Notify onBoardReq',
      requestMsg('n-7', {
        reqType: 'notify',
        notify: {
          subscriptionId: '',
          sendResp: true,
          notification: 'onBoardReq',
          onBoardReq: { oui: '00D09E', productClass: 'Router', serialNumber: 'SN1', agentSupportedProtocolVersions: '1.3,1.4' },
        },
      }),
    ],
    ['NotifyResp', responseMsg('n-1', { respType: 'notifyResp', notifyResp: { subscriptionId: 'boot' } })],
    ['Register', requestMsg('reg-1', { reqType: 'register', register: { allowPartial: true, regPaths: [{ path: 'Device.X_Svc.' }] } })],
    [
      'RegisterResp',
      responseMsg('reg-1', {
        respType: 'registerResp',
        registerResp: {
          registeredPathResults: [
            { requestedPath: 'Device.X_Svc.', operStatus: { operStatus: 'operSuccess', operSuccess: { registeredPath: 'Device.X_Svc.' } } },
            { requestedPath: 'Device.Y.', operStatus: { operStatus: 'operFailure', operFailure: { errCode: 7029, errMsg: 'in use' } } },
          ],
        },
      }),
    ],
    ['Deregister', requestMsg('dereg-1', { reqType: 'deregister', deregister: { paths: ['Device.X_Svc.'] } })],
    [
      'DeregisterResp',
      responseMsg('dereg-1', {
        respType: 'deregisterResp',
        deregisterResp: {
          deregisteredPathResults: [
            { requestedPath: 'Device.X_Svc.', operStatus: { operStatus: 'operSuccess', operSuccess: { deregisteredPath: ['Device.X_Svc.'] } } },
            { requestedPath: 'Device.Y.', operStatus: { operStatus: 'operFailure', operFailure: { errCode: 7030, errMsg: 'no' } } },
          ],
        },
      }),
    ],
    ['Error', errorMsg('set-2', 7004, 'invalid arguments', [{ paramPath: 'Device.WiFi.SSID.1.SSID', errCode: 7012, errMsg: 'too long' }])],
  ];
}
