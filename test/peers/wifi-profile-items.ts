/**
 * What TR-181 WiFiRadio:1, WiFiSSID:1 and WiFiAccessPoint:1 require, written out by hand from
 * their definitions in TR-181 2.19 (tr-181-2-19-0-wifi-base.xml, <profile name="WiFiRadio:1">,
 * "WiFiSSID:1", "WiFiAccessPoint:1"; WiFiRadio and WiFiAccessPoint have no AC or
 * AssociatedDevice.Stats items): the tests check the served model against this list, apart from
 * the agent's own profile computation.
 */

export type Req = 'readOnly' | 'readWrite' | 'writeOnceReadOnly';
export interface ObjReq {
  object: string;
  access: 'present' | 'createDelete';
  params: Record<string, Req>;
}

export const R = 'readOnly' as const;
export const W = 'readWrite' as const;
export const ONCE = 'writeOnceReadOnly' as const;

export const PROFILES: Record<string, ObjReq[]> = {
  'WiFiRadio:1': [
    { object: 'Device.WiFi.', access: 'present', params: { RadioNumberOfEntries: R } },
    {
      object: 'Device.WiFi.Radio.{i}.',
      access: 'present',
      params: {
        Enable: W,
        Status: R,
        Alias: ONCE,
        Name: R,
        Upstream: R,
        MaxBitRate: R,
        SupportedFrequencyBands: R,
        OperatingFrequencyBand: W,
        SupportedStandards: R,
        OperatingStandards: W,
        RegulatoryDomain: W,
        PossibleChannels: R,
        Channel: W,
        AutoChannelSupported: R,
        AutoChannelEnable: W,
        TransmitPowerSupported: R,
        TransmitPower: W,
        ExtensionChannel: W,
        GuardInterval: W,
        MCS: W,
        IEEE80211hSupported: R,
        IEEE80211hEnabled: W,
        ChannelsInUse: R,
      },
    },
    {
      object: 'Device.WiFi.Radio.{i}.Stats.',
      access: 'present',
      params: {
        BytesSent: R,
        BytesReceived: R,
        PacketsSent: R,
        PacketsReceived: R,
        ErrorsSent: R,
        ErrorsReceived: R,
      },
    },
  ],
  'WiFiSSID:1': [
    { object: 'Device.WiFi.', access: 'present', params: { SSIDNumberOfEntries: R } },
    {
      object: 'Device.WiFi.SSID.{i}.',
      access: 'createDelete',
      params: {
        Enable: W,
        Status: R,
        Alias: ONCE,
        Name: R,
        LowerLayers: W,
        BSSID: R,
        MACAddress: R,
        SSID: W,
      },
    },
    {
      object: 'Device.WiFi.SSID.{i}.Stats.',
      access: 'present',
      params: {
        BytesSent: R,
        BytesReceived: R,
        PacketsSent: R,
        PacketsReceived: R,
        ErrorsSent: R,
        ErrorsReceived: R,
      },
    },
  ],
  'WiFiAccessPoint:1': [
    { object: 'Device.WiFi.', access: 'present', params: { AccessPointNumberOfEntries: R } },
    {
      object: 'Device.WiFi.AccessPoint.{i}.',
      access: 'createDelete',
      params: {
        Enable: W,
        Status: R,
        SSIDReference: W,
        SSIDAdvertisementEnabled: W,
        WMMCapability: R,
        UAPSDCapability: R,
        WMMEnable: W,
        UAPSDEnable: W,
        AssociatedDeviceNumberOfEntries: R,
      },
    },
    {
      object: 'Device.WiFi.AccessPoint.{i}.Security.',
      access: 'present',
      params: {
        ModesSupported: R,
        ModeEnabled: W,
        WEPKey: W,
        PreSharedKey: W,
        KeyPassphrase: W,
        RekeyingInterval: W,
        RadiusServerIPAddr: W,
        RadiusServerPort: W,
        RadiusSecret: W,
      },
    },
    { object: 'Device.WiFi.AccessPoint.{i}.WPS.', access: 'present', params: { Enable: W, ConfigMethodsSupported: R, ConfigMethodsEnabled: W } },
    {
      object: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
      access: 'present',
      params: {
        MACAddress: R,
        AuthenticationState: R,
        LastDataDownlinkRate: R,
        LastDataUplinkRate: R,
      },
    },
  ],
};
